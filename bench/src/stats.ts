/**
 * The statistics every row uses. Pure functions, so they are tested on their
 * own (test/bench/stats.test.ts) and the report can never disagree with them.
 */

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

function finite(values: readonly number[]): number[] {
  return values.filter((v) => Number.isFinite(v));
}

/** Median of the finite values; NaN when there are none. Even counts average the middle pair. */
export function median(values: readonly number[]): number {
  const sorted = finite(values).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median, min and max over the rounds (non-finite rounds are left out and not counted). */
export function spread(values: readonly number[]): Spread {
  const ok = finite(values);
  if (ok.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  return { median: median(ok), min: Math.min(...ok), max: Math.max(...ok), n: ok.length };
}

/**
 * One ratio per round: value[i] / baseline[i]. Pairing within a round cancels
 * the drift of a noisy machine (a slow minute slows both systems). A round where
 * either side is missing or the baseline is zero gives NaN, which spread() skips.
 */
export function pairedRatios(values: readonly number[], baseline: readonly number[]): number[] {
  const n = Math.min(values.length, baseline.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const b = baseline[i]!;
    out.push(Number.isFinite(v) && Number.isFinite(b) && b !== 0 ? v / b : Number.NaN);
  }
  return out;
}

/** Nearest-rank percentile of an ascending sorted array (p in 0..100); NaN when empty. */
export function percentile(sortedAscending: readonly number[], p: number): number {
  const n = sortedAscending.length;
  if (n === 0) return Number.NaN;
  // The epsilon keeps float error from pushing an exact rank up (99.9 / 100 * 1000 is 999.0000000000001).
  const rank = Math.ceil((Math.min(Math.max(p, 0), 100) / 100) * n - 1e-9);
  return sortedAscending[Math.min(Math.max(rank, 1), n) - 1]!;
}

/** Percentiles of unsorted samples, sorted once. */
export function percentiles(samples: readonly number[], ps: readonly number[]): number[] {
  const sorted = [...samples].sort((a, b) => a - b);
  return ps.map((p) => percentile(sorted, p));
}

/**
 * The order systems run in for round `round`: rotated each round (A B C, B C A,
 * C A B …) so no system always runs first on a cold machine or last on a hot one.
 */
export function roundOrder<T>(systems: readonly T[], round: number): T[] {
  const n = systems.length;
  if (n === 0) return [];
  const shift = ((round % n) + n) % n;
  return [...systems.slice(shift), ...systems.slice(0, shift)];
}
