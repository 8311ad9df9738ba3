/** How long a case may wait for a first response before it breaches its SLA. */
export const DEFAULT_SLA_MS = 15 * 60 * 1000;

export interface SlaState {
  level: 'ok' | 'warning' | 'breached';
  /** Time left until the SLA is breached; negative once it is. */
  remainingMs: number;
  waitedMs: number;
}

/** An open case is measured until someone claims it; warning in the last fifth of the SLA. */
export function slaState(
  openedAt: number,
  claimedAt: number | null,
  now: number,
  slaMs: number = DEFAULT_SLA_MS,
): SlaState {
  const waitedMs = (claimedAt ?? now) - openedAt;
  const remainingMs = slaMs - waitedMs;
  const level = remainingMs < 0 ? 'breached' : remainingMs < slaMs / 5 ? 'warning' : 'ok';
  return { level, remainingMs, waitedMs };
}
