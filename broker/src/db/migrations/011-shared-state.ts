/**
 * Issue 15: "video sessions, phone hand-offs, rate limits and login limits live in the database, not in one
 * process's memory", so a restart keeps them and every process on the same database sees the same state.
 * - `video_sessions`: each call's facts (who, which device, status, peer, sequence numbers, the phone's key
 *   hash, links issued). Streams, their backlogs and the ring timer stay with the process that serves them.
 * - `video_handoff_tokens`: phone links, kept as SHA-256 hashes, single use (claimed by one UPDATE).
 * - `login_ip_failures`: failed password checks per client address in the sliding window (the per-account
 *   locks are in `login_locks`, migration 004).
 */
export const sql = /* sql */ `
CREATE TABLE video_sessions (
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  case_id TEXT,
  staff TEXT NOT NULL,
  staff_session TEXT NOT NULL,
  requested_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  ice_servers TEXT NOT NULL,
  origin TEXT,
  device_camera INTEGER NOT NULL,
  status TEXT NOT NULL,
  peer TEXT,
  connected_at INTEGER,
  ended_at INTEGER,
  ended_by TEXT,
  outcome TEXT,
  down_seq INTEGER NOT NULL,
  up_seq_device INTEGER NOT NULL,
  up_seq_phone INTEGER NOT NULL,
  phone_key_hash TEXT,
  links_issued INTEGER NOT NULL
);
CREATE INDEX video_sessions_active ON video_sessions(status, device_id);
CREATE INDEX video_sessions_ended ON video_sessions(ended_at);

CREATE TABLE video_handoff_tokens (
  token_hash TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX video_handoff_tokens_session ON video_handoff_tokens(session_id);
CREATE INDEX video_handoff_tokens_expiry ON video_handoff_tokens(expires_at);

CREATE TABLE login_ip_failures (
  ip TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX login_ip_failures_ip ON login_ip_failures(ip, at);
CREATE INDEX login_ip_failures_at ON login_ip_failures(at);
`;
