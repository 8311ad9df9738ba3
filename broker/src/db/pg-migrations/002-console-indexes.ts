/** PostgreSQL twin of migrations/002-console-indexes.ts, unchanged. */
export const sql = /* sql */ `
CREATE INDEX cases_device_status ON cases(device_id, status);
CREATE INDEX cases_opened ON cases(opened_at);
CREATE INDEX help_sessions_started ON help_sessions(started_at);
CREATE INDEX help_sessions_device_updated ON help_sessions(device_id, updated_at);
CREATE INDEX events_type_ts ON events(type, ts);
CREATE INDEX staff_sessions_staff ON staff_sessions(staff_id);
`;
