/** PostgreSQL twin of migrations/006-integrations.ts. */
export const sql = /* sql */ `
CREATE TABLE integrations (
  name TEXT PRIMARY KEY,
  token_hash BYTEA NOT NULL,
  rights TEXT NOT NULL,
  builtin INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  rotated_at BIGINT,
  revoked_at BIGINT
);
`;
