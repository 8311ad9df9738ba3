/**
 * PostgreSQL twin of migrations/012-case-error-codes.ts: the same table, filled by a trigger as cases
 * are stored, with SQLite's results: a snapshot that is not JSON adds no codes (its json_valid guard), only
 * string entries count (its `type = 'text'`), and a lone string counts as one code (as json_each yields it).
 */
export const sql = /* sql */ `
CREATE TABLE case_error_codes (
  code TEXT NOT NULL,
  case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  PRIMARY KEY (code, case_id)
);
CREATE FUNCTION cases_error_codes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  errs jsonb;
BEGIN
  BEGIN
    errs := NEW.diagnostics::jsonb -> 'mcu' -> 'errors';
  EXCEPTION WHEN invalid_text_representation OR untranslatable_character THEN
    errs := NULL;
  END;
  IF jsonb_typeof(errs) = 'array' THEN
    INSERT INTO case_error_codes (code, case_id)
      SELECT e #>> '{}', NEW.id FROM jsonb_array_elements(errs) e WHERE jsonb_typeof(e) = 'string'
      ON CONFLICT DO NOTHING;
  ELSIF jsonb_typeof(errs) = 'string' THEN
    -- SQLite's json_each over a lone string yields that string: the same here.
    INSERT INTO case_error_codes (code, case_id) VALUES (errs #>> '{}', NEW.id) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER cases_error_codes AFTER INSERT ON cases FOR EACH ROW EXECUTE FUNCTION cases_error_codes();
`;
