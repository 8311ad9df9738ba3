import { median, pairedRatios } from './stats.js';

/**
 * Is a throughput figure the broker's limit, or the load generators'? (issue 13: the quick run drove
 * mosquitto at 28k msg/s against 95k in the full run, so its ratios said nothing.) Each round the
 * generators also push into an ack-only sink, the cheapest possible broker; what they reach there is
 * what they can offer. A broker measured at or above this share of that ceiling, paired round by
 * round, was paced by the generators: its rate, and every ratio it is part of, is not meaningful.
 */
export const GENERATOR_BOUND_SHARE = 0.8;

export interface CeilingShare {
  /** Median over the rounds of the broker's rate / the generators' ceiling in the same round. */
  share: number;
  bound: boolean;
}

export function ceilingShare(rates: readonly number[], ceiling: readonly number[]): CeilingShare {
  const share = median(pairedRatios(rates, ceiling));
  return { share, bound: Number.isFinite(share) && share >= GENERATOR_BOUND_SHARE };
}

/**
 * A note for every (system, baseline) pair with a generator-bound side, keyed as compareRows keys
 * its notes ("system vs baseline"). `ceiling` holds the generators' rate into the sink per round.
 */
export function generatorBoundNotes(
  rates: ReadonlyMap<string, readonly number[]>,
  ceiling: readonly number[],
  pairs: readonly [string, string][],
): Record<string, string> {
  const notes: Record<string, string> = {};
  const ceilingMedian = median(ceiling);
  for (const [system, base] of pairs) {
    const bound = [system, base].flatMap((label) => {
      const c = ceilingShare(rates.get(label) ?? [], ceiling);
      return c.bound ? [`${label} reached ${c.share.toFixed(2)} of it`] : [];
    });
    if (bound.length)
      notes[`${system} vs ${base}`] =
        `not meaningful: the load generators reach ${Math.round(ceilingMedian).toLocaleString('en-US')} msg/s into an ack-only sink and ${bound.join(', ')} (≥ ${GENERATOR_BOUND_SHARE}), so the generators, not the broker, set the pace`;
  }
  return notes;
}
