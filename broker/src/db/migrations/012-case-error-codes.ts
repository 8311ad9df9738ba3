/**
 * Issue 16, the case history's error-code filter: which error codes the
 * diagnostics snapshot taken at escalation held, one row per code and case,
 * so the filter and the list of codes are index lookups instead of parsing
 * every case's snapshot.
 *
 * A trigger fills it as cases are stored, so ingest stays as it is; cases
 * stored before are read from their snapshot here. A case's snapshot never
 * changes after it is stored, so there is no update trigger.
 */
export const sql = /* sql */ `
CREATE TABLE case_error_codes (
  code TEXT NOT NULL,
  case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  PRIMARY KEY (code, case_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO case_error_codes (code, case_id)
  SELECT e.value, c.id
  FROM cases c, json_each(CASE WHEN json_valid(c.diagnostics) THEN c.diagnostics END, '$.mcu.errors') e
  WHERE e.type = 'text';
CREATE TRIGGER cases_error_codes AFTER INSERT ON cases BEGIN
  INSERT OR IGNORE INTO case_error_codes (code, case_id)
    SELECT value, NEW.id
    FROM json_each(CASE WHEN json_valid(NEW.diagnostics) THEN NEW.diagnostics END, '$.mcu.errors')
    WHERE type = 'text';
END;
`;
