/** PostgreSQL twin of migrations/011-shared-state.ts. */
export const sql = /* sql */ `
CREATE TABLE video_sessions (
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  case_id TEXT,
  staff TEXT NOT NULL,
  staff_session TEXT NOT NULL,
  requested_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  ice_servers TEXT NOT NULL,
  origin TEXT,
  device_camera INTEGER NOT NULL,
  status TEXT NOT NULL,
  peer TEXT,
  connected_at BIGINT,
  ended_at BIGINT,
  ended_by TEXT,
  outcome TEXT,
  down_seq BIGINT NOT NULL,
  up_seq_device BIGINT NOT NULL,
  up_seq_phone BIGINT NOT NULL,
  phone_key_hash TEXT,
  links_issued INTEGER NOT NULL
);
CREATE INDEX video_sessions_active ON video_sessions(status, device_id);
CREATE INDEX video_sessions_ended ON video_sessions(ended_at);

CREATE TABLE video_handoff_tokens (
  token_hash TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX video_handoff_tokens_session ON video_handoff_tokens(session_id);
CREATE INDEX video_handoff_tokens_expiry ON video_handoff_tokens(expires_at);

CREATE TABLE login_ip_failures (
  ip TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX login_ip_failures_ip ON login_ip_failures(ip, at);
CREATE INDEX login_ip_failures_at ON login_ip_failures(at);
`;
