/** Exponential backoff with +-20% jitter, so a fleet of devices does not retry in lockstep. */
export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 20));
  return Math.round(base * (0.8 + random() * 0.4));
}
