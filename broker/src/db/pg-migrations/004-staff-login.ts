/** PostgreSQL twin of migrations/004-staff-login.ts. */
export const sql = /* sql */ `
ALTER TABLE staff ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;

CREATE TABLE login_locks (
  name_hash TEXT NOT NULL,
  ip TEXT NOT NULL,
  failures INTEGER NOT NULL,
  window_start BIGINT NOT NULL,
  strikes INTEGER NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (name_hash, ip)
);
CREATE INDEX login_locks_updated ON login_locks(updated_at);

CREATE TABLE auth_secrets (
  name TEXT PRIMARY KEY,
  value BYTEA NOT NULL
);
-- 32 random bytes, as SQLite's randomblob(32): two v4 UUIDs (122 random bits each) from the core function.
INSERT INTO auth_secrets (name, value)
  VALUES ('login-name-hmac', uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()));
`;
