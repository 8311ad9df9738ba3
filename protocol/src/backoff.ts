/**
 * The one reconnect and reopen delay (issue 14: written four times with three jitter rules): for
 * attempt n (0-based) the ceiling is minMs * 2^n, capped at maxMs, and the delay is drawn from
 * its upper half ("equal jitter"). The jitter spreads a fleet's reconnect storm after a broker
 * restart, or many tabs after an agent restart; the lower half keeps the wait predictable.
 * Pure (the random source is a parameter), so devices, the broker and both UIs share it.
 */
export function backoffDelay(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  // Clamped so a long outage neither overflows 2^n nor goes below the first step.
  const exponent = Math.max(0, Math.min(Number.isFinite(attempt) ? Math.floor(attempt) : 0, 30));
  const ceiling = Math.min(maxMs, minMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
