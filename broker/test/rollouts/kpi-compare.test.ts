import { describe, expect, it } from 'vitest';
import type { OutcomeCounts } from '../../src/fleet/kpi-formulas.js';
import { compareArms, DEFAULT_THRESHOLDS, type ArmSample } from '../../src/rollouts/kpi-compare.js';

const none: OutcomeCounts = {
  resolvedByFix: 0,
  resolvedByCustomer: 0,
  resolvedUnrecorded: 0,
  nothingWrong: 0,
  escalated: 0,
  abandoned: 0,
  inProgress: 0,
};

function arm(outcomes: Partial<OutcomeCounts>, ces = { sum: 0, count: 0 }, actions = { attempted: 0, failed: 0 }) {
  return { outcomes: { ...none, ...outcomes }, ces, actions } satisfies ArmSample;
}

const thresholds = { ...DEFAULT_THRESHOLDS, minSessions: 10 };

describe('rollout KPI comparison (issue 18)', () => {
  it('continues until both groups have the minimum of ended sessions; running sessions do not count', () => {
    // Candidate: 9 ended (the 5 in progress do not count), control 30: below the minimum of 10.
    const c = compareArms(arm({ escalated: 9, inProgress: 5 }), arm({ resolvedByFix: 30 }), thresholds);
    expect(c.verdict).toBe('continue');
    expect(c.sessions).toEqual({ candidate: 9, control: 30 });
    expect(c.reasons[0]).toContain('new version 9, control 30');
    // Even a version this bad is not judged on 9 sessions; one more and it is.
    expect(compareArms(arm({ escalated: 10 }), arm({ resolvedByFix: 30 }), thresholds).verdict).toBe('abort');
  });

  it('aborts on an escalation rate worse than the threshold, with the numbers as the reason', () => {
    // Candidate: 6 escalated of 20 = 30 %; control: 4 of 20 = 20 %: worse by 10 points = the threshold → advance.
    const control = arm({ resolvedByFix: 16, escalated: 4 });
    const atThreshold = compareArms(arm({ resolvedByFix: 14, escalated: 6 }), control, thresholds);
    expect(atThreshold.kpis.find((k) => k.kpi === 'escalationRate')!.worseBy).toBeCloseTo(0.1, 12);
    expect(atThreshold.verdict).toBe('advance');
    // 7 of 20 = 35 %: worse by 15 points > 10 → abort. First-touch resolution: 13/20 = 65 % vs 16/20 = 80 %, 15 points worse too.
    const worse = compareArms(arm({ resolvedByFix: 13, escalated: 7 }), control, thresholds);
    expect(worse.verdict).toBe('abort');
    expect(worse.kpis.filter((k) => k.breached).map((k) => k.kpi)).toEqual(['firstTouchResolution', 'escalationRate']);
    expect(worse.reasons).toContain(
      'escalationRate is worse than the control by 15.0 % (new 35.0 %, control 20.0 %; allowed 10.0 %)',
    );
  });

  it('judges CES in points (higher is better) and failed actions over the actions that ran', () => {
    // CES: candidate 50/10 = 5.0, control 66/12 = 5.5: worse by 0.5 = threshold → fine.
    // Failed actions: candidate 3 of 10 = 30 %, control 1 of 10 = 10 %: worse by 20 points > 10 → abort.
    const c = compareArms(
      arm({ resolvedByCustomer: 12 }, { sum: 50, count: 10 }, { attempted: 10, failed: 3 }),
      arm({ resolvedByCustomer: 12 }, { sum: 66, count: 12 }, { attempted: 10, failed: 1 }),
      thresholds,
    );
    const ces = c.kpis.find((k) => k.kpi === 'ces')!;
    expect(ces).toMatchObject({ candidate: 5, control: 5.5, breached: false });
    expect(ces.worseBy).toBeCloseTo(0.5, 12);
    expect(c.kpis.find((k) => k.kpi === 'failedActionRate')).toMatchObject({
      candidate: 0.3,
      control: 0.1,
      breached: true,
    });
    expect(c.verdict).toBe('abort');
    // CES 4.9 (49/10) is 0.6 worse: breached as well.
    const lowCes = compareArms(
      arm({ resolvedByCustomer: 12 }, { sum: 49, count: 10 }),
      arm({ resolvedByCustomer: 12 }, { sum: 66, count: 12 }),
      thresholds,
    );
    expect(lowCes.reasons).toEqual(['ces is worse than the control by 0.60 (new 4.90, control 5.50; allowed 0.50)']);
  });

  it('advances when the new version is better, and says which KPIs had no data', () => {
    // Candidate drops off 1 of 20 = 5 %, control 6 of 20 = 30 %: better. No ratings, no actions in either group.
    const c = compareArms(
      arm({ resolvedByFix: 19, abandoned: 1 }),
      arm({ resolvedByFix: 14, abandoned: 6 }),
      thresholds,
    );
    expect(c.verdict).toBe('advance');
    expect(c.kpis.find((k) => k.kpi === 'dropOffRate')!.worseBy).toBeCloseTo(-0.25, 12);
    expect(c.reasons).toEqual([
      'every KPI is within its threshold of the control',
      'ces not compared: no data in one group',
      'failedActionRate not compared: no data in one group',
    ]);
  });
});
