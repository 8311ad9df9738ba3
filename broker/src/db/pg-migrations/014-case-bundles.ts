/**
 * PostgreSQL twin of migrations/014-case-bundles.ts (BIGINT for millisecond times).
 *
 * Issue 17, "Support bundles": a staff member's request for a diagnostic bundle from a case's device, and
 * the bundle the customer agreed to send (docs/console.md#support-bundles).
 * - `status`: `requested` until the device answers `stored`, `refused`, `expired` or `failed` (then `reason`).
 * - `content`: the bundle's JSON as the device sent it, only when `stored`; `size_bytes` its length.
 * - `reply_msg_id`: the answer's message id, so a redelivered answer is stored once.
 * Rows are deleted by the retention sweep (`bundles`, by `requested_at`) and with their case.
 */
export const sql = /* sql */ `
CREATE TABLE case_bundles (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  device_id TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  requested_at BIGINT NOT NULL,
  range_from BIGINT NOT NULL,
  range_to BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  answered_at BIGINT,
  consent_at BIGINT,
  size_bytes INTEGER,
  content TEXT,
  reply_msg_id TEXT UNIQUE
);
CREATE INDEX case_bundles_case ON case_bundles(case_id, requested_at);
CREATE INDEX case_bundles_device ON case_bundles(device_id, requested_at);
`;
