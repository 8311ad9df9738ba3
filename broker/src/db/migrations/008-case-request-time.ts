/**
 * Issue 16: an escalation queued offline keeps the customer's request time.
 *
 * From this version `cases.opened_at` is the time the customer asked for help
 * (the `ts` of the device's caseOpen message, never later than its arrival),
 * and the new `received_at` is when the fleet stored it. SLA timers, waiting
 * time and time to resolution count from `opened_at`, so an outage no longer
 * hides in them. Cases stored before did not keep the request time: for them
 * both columns hold the arrival time, the best that is known.
 */
export const sql = `
ALTER TABLE cases ADD COLUMN received_at INTEGER;
UPDATE cases SET received_at = opened_at;
`;
