/**
 * A date input's day (`2026-12-03`, the browser's local calendar) as epoch
 * milliseconds: its first millisecond for a "from" bound, its last for a "to"
 * bound, so both ends include the whole day. Empty or malformed: undefined.
 */
export function dayStart(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  const at = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
  return Number.isNaN(at) ? undefined : at;
}

export function dayEnd(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  // The next day's midnight minus one: right on days that have 23 or 25 hours (daylight saving).
  const at = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1).getTime() - 1;
  return Number.isNaN(at) ? undefined : at;
}
