/**
 * PostgreSQL twin of migrations/010-case-history.ts. Its backfill reads the audit log's JSON details;
 * a PostgreSQL database starts empty, so it fills nothing here, and only well-formed details are read.
 */
export const sql = /* sql */ `
ALTER TABLE cases ADD COLUMN resolved_by TEXT;
UPDATE cases SET resolved_by = (
  SELECT actor FROM audit
  WHERE audit.action = 'case.update' AND audit.target = cases.id AND audit.outcome = 'ok'
    AND substring(audit.detail from '"to":"([a-z]+)"') IN ('resolved', 'closed')
  ORDER BY audit.id LIMIT 1
) WHERE status IN ('resolved', 'closed');
CREATE INDEX cases_assignee ON cases(assignee, opened_at);
CREATE INDEX cases_resolved_by ON cases(resolved_by, opened_at);
CREATE INDEX cases_flow ON cases(flow_id, opened_at);
`;
