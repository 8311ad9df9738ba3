/**
 * Issue 18, "Staged rollouts that stop themselves" and fleet-wide fixes (docs/help-lifecycle.md):
 * - `rollouts`: an approved content version (content_versions, migration 017) sent to a cohort in waves;
 *   `cohort` and `thresholds` as JSON, `wave` the wave reached (1-based) since
 *   `wave_started_at` (each wave is judged on the sessions since it started), `status` running | paused |
 *   completed | aborted (its cohort is then sent its previous content), `verdict` the last KPI comparison (JSON) and `reason` why it stopped.
 * - `rollout_devices`: each eligible device's arm (`candidate` in wave `wave`, or `control`), the content it
 *   ran before (`previous_sha256`, what a rollback returns it to) and when the new one was installed.
 * - `device_content`: the desired state of every device that a rollout touched: the content document it
 *   should run (`desired_sha256`, with the URL it is fetched from) and the one it reports (`reported_sha256`,
 *   from its birth and from a successful `help.install`); `command_id` the newest install command sent.
 * - `fleet_fixes`, `fleet_fix_devices`: an allow-listed action sent to every device matching a query, in
 *   waves, stopped when the failure rate passes `max_failure_permille` (‰); per device its command and outcome.
 */
export const sql = /* sql */ `
CREATE TABLE rollouts (
  id TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  version_id TEXT NOT NULL,
  version_number INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  url TEXT NOT NULL,
  cohort TEXT NOT NULL,
  thresholds TEXT NOT NULL,
  waves INTEGER NOT NULL,
  wave INTEGER NOT NULL,
  wave_started_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  verdict TEXT,
  reason TEXT,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX rollouts_status ON rollouts(status, created_at);

CREATE TABLE rollout_devices (
  rollout_id TEXT NOT NULL REFERENCES rollouts(id) ON DELETE CASCADE,
  device_id TEXT NOT NULL,
  arm TEXT NOT NULL,
  wave INTEGER NOT NULL,
  previous_sha256 TEXT,
  previous_url TEXT,
  assigned_at INTEGER,
  installed_at INTEGER,
  PRIMARY KEY (rollout_id, device_id)
);
CREATE INDEX rollout_devices_device ON rollout_devices(device_id);

CREATE TABLE device_content (
  device_id TEXT PRIMARY KEY,
  desired_sha256 TEXT,
  desired_url TEXT,
  rollout_id TEXT,
  command_id TEXT,
  reported_sha256 TEXT,
  reported_at INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX device_content_command ON device_content(command_id);

CREATE TABLE fleet_fixes (
  id TEXT PRIMARY KEY,
  action TEXT NOT NULL,
  params TEXT NOT NULL,
  query TEXT NOT NULL,
  waves INTEGER NOT NULL,
  wave INTEGER NOT NULL,
  max_failure_permille INTEGER NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE fleet_fix_devices (
  fix_id TEXT NOT NULL REFERENCES fleet_fixes(id) ON DELETE CASCADE,
  device_id TEXT NOT NULL,
  wave INTEGER NOT NULL,
  command_id TEXT,
  status TEXT NOT NULL,
  reason TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (fix_id, device_id)
);
CREATE INDEX fleet_fix_devices_command ON fleet_fix_devices(command_id);
`;
