/**
 * Issue 16, "Staff have the whole picture": the case history lists every case
 * and filters by the staff member who claimed or resolved it.
 *
 * `resolved_by` is who moved the case to resolved or closed (the first time,
 * like `resolved_at`). Cases resolved before this version get it from the
 * audit log's first `case.update` to resolved or closed, which has recorded
 * every status change since the first version. The indexes serve the history's
 * staff and flow filters, newest first; device, status and time use the
 * indexes of 001 and 002.
 */
export const sql = /* sql */ `
ALTER TABLE cases ADD COLUMN resolved_by TEXT;
UPDATE cases SET resolved_by = (
  SELECT actor FROM audit
  WHERE audit.action = 'case.update' AND audit.target = cases.id AND audit.outcome = 'ok'
    AND json_extract(audit.detail, '$.to') IN ('resolved', 'closed')
  ORDER BY audit.id LIMIT 1
) WHERE status IN ('resolved', 'closed');
CREATE INDEX cases_assignee ON cases(assignee, opened_at);
CREATE INDEX cases_resolved_by ON cases(resolved_by, opened_at);
CREATE INDEX cases_flow ON cases(flow_id, opened_at);
`;
