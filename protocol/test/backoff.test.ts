import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/index.js';

describe('backoffDelay', () => {
  it('doubles from minMs per attempt and stops at maxMs (the top of the jitter range)', () => {
    const top = () => 1;
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 250, 5_000, top))).toEqual([
      250, 500, 1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
  });

  it('draws from the upper half of the ceiling ("equal jitter")', () => {
    expect(backoffDelay(0, 1_000, 30_000, () => 0)).toBe(500);
    expect(backoffDelay(3, 1_000, 30_000, () => 0.5)).toBe(6_000);
    expect(backoffDelay(20, 1_000, 30_000, () => 0)).toBe(15_000);
  });

  it('treats a negative, fractional or absurd attempt as the nearest valid one', () => {
    expect(backoffDelay(-3, 100, 1_000, () => 1)).toBe(100);
    expect(backoffDelay(1.7, 100, 1_000, () => 1)).toBe(200);
    expect(backoffDelay(Number.NaN, 100, 1_000, () => 1)).toBe(100);
    expect(backoffDelay(1e9, 100, 1_000, () => 1)).toBe(1_000);
  });

  it('always lies between half the capped ceiling and the ceiling', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, minMs, extra, r) => {
          const maxMs = minMs + extra;
          const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
          const delay = backoffDelay(attempt, minMs, maxMs, () => r);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });
});
