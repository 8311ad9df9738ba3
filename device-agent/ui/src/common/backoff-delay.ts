/** Reconnect delay for attempt n (0-based): doubling from minMs up to maxMs, with up to 20 % jitter so many tabs do not retry in step. */
export function backoffDelay(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.round(base * (0.8 + 0.2 * random()));
}
