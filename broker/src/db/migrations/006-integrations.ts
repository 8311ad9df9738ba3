/**
 * Integration accounts (issue 13): a maker's backend on MQTT with its own
 * token and an allow-list of topic filters. The internal service identity is
 * the built-in account `service`.
 */
export const sql = /* sql */ `
CREATE TABLE integrations (
  name TEXT PRIMARY KEY,
  token_hash BLOB NOT NULL,
  rights TEXT NOT NULL,
  builtin INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  rotated_at INTEGER,
  revoked_at INTEGER
);
`;
