/**
 * Exponential backoff with jitter ("equal jitter"): between half and all of
 * min * 2^attempt, capped at max. Jitter spreads a fleet's reconnect storm
 * after a broker restart; the lower half keeps the wait predictable.
 */
export function backoffDelay(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
