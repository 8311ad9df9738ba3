/**
 * Issue 16: one Customer Effort Score scale end to end, 1 = very difficult …
 * 7 = very easy (CES 2.0), higher is better.
 *
 * Stored ratings are NOT converted, because they were never stored in the
 * other sense. `help_sessions.ces` has exactly one writer: fleet ingest
 * (`broker/src/fleet/ingest.ts`, the `rating` help-trace entry), which stores
 * the number the device sent unchanged. The only producer of that entry is the
 * device agent's help session (`device-agent/src/help/session.ts`, `rate()`),
 * fed by the touchscreen's rating screen, which has asked "1 Very difficult …
 * 7 Very easy" (de: "Sehr schwierig … Sehr einfach") since it was written
 * (commit 1ec58e1). Only the console's labels and colours and the docs read
 * the numbers the other way round; they are fixed in the same change.
 * Reversing the stored values (8 − ces) would corrupt every real rating.
 *
 * The migration therefore changes no data; it is numbered so the decision is
 * recorded with the schema and in `schema_migrations`.
 */
export const sql = `SELECT 1;`;
