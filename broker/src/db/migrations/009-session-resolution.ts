/**
 * Issue 16: a resolved help session says how it was resolved (`fix`,
 * `customer` or `nothing-wrong`), from the trace's outcome entry, which takes
 * it from the flow's end step. First-touch resolution counts `fix` and
 * `customer` only. Sessions stored before have NULL here: the device did not
 * say, and the broker has no flow files to tell; the KPIs count them as
 * resolved, as they were counted before (docs/console.md).
 */
export const sql = `ALTER TABLE help_sessions ADD COLUMN resolution TEXT;`;
