import { createHash } from 'node:crypto';

/**
 * How a rollout or a fleet-wide fix splits its devices (issue 18, "advances in waves"). Pure.
 *
 * The order is a hash of the run's id and the device id: stable for one run (a restart picks the same
 * devices), different between runs (the same devices are not always first), and not by name (a fleet
 * provisioned in batches would put one batch, one site, in the first wave).
 */
export function stableOrder(ids: readonly string[], salt: string): string[] {
  const key = (id: string) => createHash('sha256').update(`${salt}\0${id}`).digest('hex');
  return [...ids]
    .map((id) => ({ id, k: key(id) }))
    .sort((a, b) => a.k.localeCompare(b.k))
    .map((x) => x.id);
}

/**
 * The wave (1-based) of each position when `total` devices go out in `waves` waves of about equal size;
 * the earlier waves are never larger than the later ones (the first wave is the smallest canary).
 */
export function waveOf(index: number, total: number, waves: number): number {
  const n = Math.max(1, Math.min(waves, total));
  // Wave w ends at floor(total * w / n): sizes differ by one at most, the larger ones last.
  for (let w = 1; w <= n; w++) if (index < Math.floor((total * w) / n)) return w;
  return n;
}

/** How many of `eligible` devices a cohort of `percent` takes: rounded half up, at least one when percent > 0. */
export function cohortSize(eligible: number, percent: number): number {
  if (eligible === 0 || percent <= 0) return 0;
  return Math.min(eligible, Math.max(1, Math.round((eligible * percent) / 100)));
}
