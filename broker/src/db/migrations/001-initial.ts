/** The first schema: devices, presence, diagnostics, events, cases, commands, audit, staff. */
export const sql = /* sql */ `
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  token_hash BLOB NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  online INTEGER NOT NULL DEFAULT 0,
  connection_id TEXT,
  last_seen INTEGER,
  agent_version TEXT,
  firmware_version TEXT,
  profile_version TEXT,
  errors TEXT NOT NULL DEFAULT '[]',
  link TEXT,
  last_diagnostics_at INTEGER
);
CREATE INDEX devices_model ON devices(model);

CREATE TABLE presence_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  msg_id TEXT UNIQUE,
  device_id TEXT NOT NULL REFERENCES devices(id),
  state TEXT NOT NULL,
  connection_id TEXT,
  at INTEGER NOT NULL
);
CREATE INDEX presence_device ON presence_history(device_id, at);

CREATE TABLE diagnostics (
  msg_id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id),
  ts INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  reason TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX diagnostics_device ON diagnostics(device_id, ts);

CREATE TABLE events (
  msg_id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id),
  ts INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  type TEXT NOT NULL,
  session_id TEXT,
  body TEXT NOT NULL
);
CREATE INDEX events_device ON events(device_id, ts);
CREATE INDEX events_session ON events(session_id);

CREATE TABLE help_sessions (
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id),
  flow_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  current_step TEXT,
  outcome TEXT,
  ces INTEGER,
  helped INTEGER,
  ms_total INTEGER
);
CREATE INDEX help_sessions_device ON help_sessions(device_id, started_at);

CREATE TABLE cases (
  id TEXT PRIMARY KEY,
  msg_id TEXT NOT NULL UNIQUE,
  device_id TEXT NOT NULL REFERENCES devices(id),
  opened_at INTEGER NOT NULL,
  reason TEXT NOT NULL,
  flow_id TEXT,
  session_id TEXT,
  locale TEXT,
  status TEXT NOT NULL DEFAULT 'open',
  assignee TEXT,
  claimed_at INTEGER,
  resolved_at INTEGER,
  trace TEXT NOT NULL,
  diagnostics TEXT
);
CREATE INDEX cases_status ON cases(status, opened_at);

CREATE TABLE case_notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id TEXT NOT NULL REFERENCES cases(id),
  staff_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  text TEXT NOT NULL
);

CREATE TABLE commands (
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id),
  action TEXT NOT NULL,
  params TEXT NOT NULL,
  issued_by TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  envelope TEXT NOT NULL
);
CREATE INDEX commands_device ON commands(device_id, issued_at);
CREATE INDEX commands_open ON commands(status, expires_at);

CREATE TABLE command_status (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  command_id TEXT NOT NULL REFERENCES commands(id),
  msg_id TEXT UNIQUE,
  status TEXT NOT NULL,
  code TEXT,
  reason TEXT,
  at INTEGER NOT NULL
);
CREATE INDEX command_status_command ON command_status(command_id, id);

CREATE TABLE staff (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'agent', 'admin')),
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE staff_sessions (
  token_hash BLOB PRIMARY KEY,
  staff_id TEXT NOT NULL REFERENCES staff(id),
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  actor_role TEXT,
  action TEXT NOT NULL,
  device_id TEXT,
  target TEXT,
  outcome TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX audit_at ON audit(at);
CREATE INDEX audit_device ON audit(device_id, at);

CREATE TABLE rejected_messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  client_id TEXT,
  topic TEXT NOT NULL,
  code TEXT NOT NULL,
  reason TEXT NOT NULL,
  payload_preview TEXT
);
`;
