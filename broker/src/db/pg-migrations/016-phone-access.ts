/**
 * PostgreSQL twin of migrations/016-phone-access.ts (BIGINT for millisecond times).
 *
 * Issue 17, "The phone as a full touchpoint": a customer's phone acting for one device's help
 * (docs/customer-journey.md).
 * - `token_hash`: SHA-256 of the single-use link's token; the link works until `link_expires_at` and once.
 * - `key_hash`: SHA-256 of the bearer key the phone got when it claimed the link (`claimed_at`).
 * - `expires_at`: the access ends then at the latest; `ended_at` and `ended_by` (device, phone, expired,
 *   replaced, offline) once it ended. A device has at most one access that is not ended.
 * - `seq`: the last step the phone sent, so steps are numbered and a replayed one is refused.
 */
export const sql = /* sql */ `
CREATE TABLE phone_access (
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  link_expires_at BIGINT NOT NULL,
  key_hash TEXT,
  claimed_at BIGINT,
  expires_at BIGINT NOT NULL,
  ended_at BIGINT,
  ended_by TEXT,
  seq INTEGER NOT NULL DEFAULT -1,
  created_at BIGINT NOT NULL
);
CREATE INDEX phone_access_device ON phone_access(device_id, ended_at);
`;
