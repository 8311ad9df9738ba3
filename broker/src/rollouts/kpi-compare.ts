import { endedSessions, outcomeRates, type OutcomeCounts } from '../fleet/kpi-formulas.js';

/**
 * The rollout's judge (issue 18, "watches the KPIs of the new version against the control"): the
 * KPIs of the devices on the new content version against those of the control group, with the
 * formulas the console's KPIs use (kpi-formulas.ts, docs/console.md "KPIs"). Pure, so every case is
 * unit-tested with hand-computed numbers (broker/test/rollouts/kpi-compare.test.ts).
 *
 * Verdicts:
 * - `continue`: not enough ended sessions in one of the arms to judge yet (minimum sample);
 * - `abort`: at least one KPI is worse than the control by more than its threshold;
 * - `advance`: every KPI is within its threshold of the control (or better).
 * A KPI that one arm cannot compute (no CES ratings, no actions) is left out, with a reason.
 */

/** What one arm (new version or control) did in the window. */
export interface ArmSample {
  outcomes: OutcomeCounts;
  /** Customer Effort Score ratings, 1 = very difficult … 7 = very easy (higher is better). */
  ces: { sum: number; count: number };
  /** Actions of help flows that ran (succeeded or failed) and those that failed or were not verified. */
  actions: { attempted: number; failed: number };
}

/**
 * How much worse the new version may be before the rollout stops. Rates are absolute differences
 * (0.05 = five percentage points); CES is in points of the 1–7 scale.
 */
export interface CompareThresholds {
  /** Ended sessions each arm needs before a verdict other than `continue`. */
  minSessions: number;
  ces: number;
  firstTouchResolution: number;
  escalationRate: number;
  dropOffRate: number;
  failedActionRate: number;
}

export const DEFAULT_THRESHOLDS: CompareThresholds = {
  minSessions: 20,
  ces: 0.5,
  firstTouchResolution: 0.1,
  escalationRate: 0.1,
  dropOffRate: 0.1,
  failedActionRate: 0.1,
};

export type KpiName = 'ces' | 'firstTouchResolution' | 'escalationRate' | 'dropOffRate' | 'failedActionRate';

/** Whether a larger value is better: CES and first-touch resolution go up, the others down. */
const HIGHER_IS_BETTER: Record<KpiName, boolean> = {
  ces: true,
  firstTouchResolution: true,
  escalationRate: false,
  dropOffRate: false,
  failedActionRate: false,
};

export interface KpiDelta {
  kpi: KpiName;
  candidate: number | null;
  control: number | null;
  /** How much worse the candidate is (positive = worse, in the KPI's unit); null when either side is missing. */
  worseBy: number | null;
  threshold: number;
  breached: boolean;
}

export type Verdict = 'continue' | 'advance' | 'abort';

export interface Comparison {
  verdict: Verdict;
  /** Why, in plain words, one line each (shown in the console and stored with the rollout). */
  reasons: string[];
  sessions: { candidate: number; control: number };
  kpis: KpiDelta[];
}

export function armKpis(arm: ArmSample): Record<KpiName, number | null> {
  const rates = outcomeRates(arm.outcomes);
  return {
    ces: arm.ces.count === 0 ? null : arm.ces.sum / arm.ces.count,
    firstTouchResolution: rates.firstTouchResolution,
    escalationRate: rates.escalationRate,
    dropOffRate: rates.dropOffRate,
    failedActionRate: arm.actions.attempted === 0 ? null : arm.actions.failed / arm.actions.attempted,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const show = (kpi: KpiName, x: number) => (kpi === 'ces' ? x.toFixed(2) : pct(x));

/** Floating error must not turn "exactly at the threshold" into a breach. */
const EPSILON = 1e-9;

export function compareArms(
  candidate: ArmSample,
  control: ArmSample,
  thresholds: CompareThresholds = DEFAULT_THRESHOLDS,
): Comparison {
  const sessions = { candidate: endedSessions(candidate.outcomes), control: endedSessions(control.outcomes) };
  const a = armKpis(candidate);
  const b = armKpis(control);
  const kpis: KpiDelta[] = (Object.keys(HIGHER_IS_BETTER) as KpiName[]).map((kpi) => {
    const threshold = thresholds[kpi];
    const cand = a[kpi];
    const ctrl = b[kpi];
    const worseBy = cand === null || ctrl === null ? null : HIGHER_IS_BETTER[kpi] ? ctrl - cand : cand - ctrl;
    return {
      kpi,
      candidate: cand,
      control: ctrl,
      worseBy,
      threshold,
      breached: worseBy !== null && worseBy > threshold + EPSILON,
    };
  });

  if (sessions.candidate < thresholds.minSessions || sessions.control < thresholds.minSessions)
    return {
      verdict: 'continue',
      reasons: [
        `waiting for ${thresholds.minSessions} ended sessions in each group (new version ${sessions.candidate}, control ${sessions.control})`,
      ],
      sessions,
      kpis,
    };

  const breached = kpis.filter((k) => k.breached);
  if (breached.length > 0)
    return {
      verdict: 'abort',
      reasons: breached.map(
        (k) =>
          `${k.kpi} is worse than the control by ${show(k.kpi, k.worseBy!)} (new ${show(k.kpi, k.candidate!)}, control ${show(k.kpi, k.control!)}; allowed ${show(k.kpi, k.threshold)})`,
      ),
      sessions,
      kpis,
    };
  const missing = kpis.filter((k) => k.worseBy === null).map((k) => `${k.kpi} not compared: no data in one group`);
  return {
    verdict: 'advance',
    reasons: [`every KPI is within its threshold of the control`, ...missing],
    sessions,
    kpis,
  };
}
