/**
 * Staff login hardening (issue 12: item 4 and the Low staff items):
 * - `must_change_password`: a generated password (first start, `staff add`, an admin's reset) works once,
 *   then the member must choose their own before the API does anything else.
 * - `login_locks`: failed logins per (account, client address) with exponential back-off, kept in the
 *   database so a restart does not reset a lock and `touchpoint staff unlock` (another process) can lift one.
 *   The account name is stored as a keyed hash, because people type passwords into the name field.
 * - `auth_secrets`: the per-installation key of that hash, made here once.
 */
export const sql = /* sql */ `
ALTER TABLE staff ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;

CREATE TABLE login_locks (
  name_hash TEXT NOT NULL,
  ip TEXT NOT NULL,
  failures INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  strikes INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (name_hash, ip)
);
CREATE INDEX login_locks_updated ON login_locks(updated_at);

CREATE TABLE auth_secrets (
  name TEXT PRIMARY KEY,
  value BLOB NOT NULL
);
INSERT INTO auth_secrets (name, value) VALUES ('login-name-hmac', randomblob(32));
`;
