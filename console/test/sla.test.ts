import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/common/backoff.js';
import { slaState } from '../src/common/sla.js';

describe('slaState', () => {
  it('warns in the last fifth and breaches after the SLA; claiming stops the clock', () => {
    expect(slaState(0, null, 60_000, 100_000)).toEqual({ level: 'ok', remainingMs: 40_000, waitedMs: 60_000 });
    expect(slaState(0, null, 85_000, 100_000).level).toBe('warning');
    expect(slaState(0, null, 100_001, 100_000).level).toBe('breached');
    expect(slaState(0, 10_000, 500_000, 100_000)).toEqual({ level: 'ok', remainingMs: 90_000, waitedMs: 10_000 });
  });
});

describe('backoffDelay', () => {
  it('grows exponentially, is capped, and stays in the upper half of its ceiling', () => {
    expect(backoffDelay(0, 1000, 30_000, () => 0)).toBe(500);
    expect(backoffDelay(0, 1000, 30_000, () => 1)).toBe(1000);
    expect(backoffDelay(3, 1000, 30_000, () => 1)).toBe(8000);
    expect(backoffDelay(20, 1000, 30_000, () => 0.5)).toBe(22_500);
  });
});
