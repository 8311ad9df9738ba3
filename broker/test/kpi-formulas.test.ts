import { describe, expect, it } from 'vitest';
import { median, outcomeRates, stepDropOff, type OutcomeCounts } from '../src/fleet/kpi-formulas.js';

const none: OutcomeCounts = {
  resolvedByFix: 0,
  resolvedByCustomer: 0,
  resolvedUnrecorded: 0,
  nothingWrong: 0,
  escalated: 0,
  abandoned: 0,
  inProgress: 0,
};

describe('KPI formulas (issue 16, docs/console.md)', () => {
  it('first-touch resolution: fixes and customer fixes over the ended sessions that needed help', () => {
    // 3 fix + 2 customer = 5 resolved; ended = 3+2+4+1+2 = 12; needed help = 12 − 4 nothing wrong = 8 → 5/8.
    const c = { ...none, resolvedByFix: 3, resolvedByCustomer: 2, nothingWrong: 4, escalated: 1, abandoned: 2 };
    expect(outcomeRates(c).firstTouchResolution).toBe(0.625);
    // Nothing-wrong sessions never raise it: 4 more of them leave 5/8.
    expect(outcomeRates({ ...c, nothingWrong: 8 }).firstTouchResolution).toBe(0.625);
    // Running sessions are not counted until they end.
    expect(outcomeRates({ ...c, inProgress: 7 }).firstTouchResolution).toBe(0.625);
    // Sessions from before the kind was recorded count as resolved: (5 + 3) / (8 + 3) = 8/11.
    expect(outcomeRates({ ...c, resolvedUnrecorded: 3 }).firstTouchResolution).toBeCloseTo(8 / 11, 12);
  });

  it('escalation rate and drop-off rate: escalated and abandoned over every ended session', () => {
    const c = { ...none, resolvedByFix: 3, resolvedByCustomer: 2, nothingWrong: 4, escalated: 1, abandoned: 2 };
    expect(outcomeRates(c).escalationRate).toBe(1 / 12);
    expect(outcomeRates(c).dropOffRate).toBe(2 / 12);
    expect(outcomeRates({ ...c, escalated: 6, inProgress: 9 })).toMatchObject({
      escalationRate: 6 / 17,
      dropOffRate: 2 / 17,
    });
  });

  it('is null, not 0 %, when nothing ended or nothing needed help', () => {
    expect(outcomeRates({ ...none, inProgress: 4 })).toEqual({
      firstTouchResolution: null,
      escalationRate: null,
      dropOffRate: null,
    });
    expect(outcomeRates({ ...none, nothingWrong: 3 })).toEqual({
      firstTouchResolution: null,
      escalationRate: 0,
      dropOffRate: 0,
    });
  });

  it('step drop-off: abandoned sessions that ended on the step over those that reached it', () => {
    expect(stepDropOff(8, 2)).toEqual({ dropped: 2, rate: 0.25 });
    expect(stepDropOff(0, 0)).toEqual({ dropped: 0, rate: 0 });
    expect(stepDropOff(3, 5)).toEqual({ dropped: 3, rate: 1 });
  });

  it('median time to resolution', () => {
    expect(median([])).toBeNull();
    expect(median([9, 1, 5])).toBe(5);
    expect(median([10, 2, 8, 4])).toBe(6);
  });
});

// computeKpis itself, on a real SQLite file and a real PostgreSQL: test/store/kpis.test.ts (issue 15).
