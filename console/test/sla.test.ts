import { describe, expect, it } from 'vitest';
import { slaState } from '../src/common/sla.js';

describe('slaState', () => {
  it('warns in the last fifth and breaches after the SLA; claiming stops the clock', () => {
    expect(slaState(0, null, 60_000, 100_000)).toEqual({ level: 'ok', remainingMs: 40_000, waitedMs: 60_000 });
    expect(slaState(0, null, 85_000, 100_000).level).toBe('warning');
    expect(slaState(0, null, 100_001, 100_000).level).toBe('breached');
    expect(slaState(0, 10_000, 500_000, 100_000)).toEqual({ level: 'ok', remainingMs: 90_000, waitedMs: 10_000 });
  });
});
