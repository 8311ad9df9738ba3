import { describe, expect, it } from 'vitest';
import { dayEnd, dayStart } from '../src/common/day-range.js';

describe('dayStart / dayEnd', () => {
  it('spans the whole local day, inclusive at both ends', () => {
    const start = dayStart('2026-12-03')!;
    const end = dayEnd('2026-12-03')!;
    expect(new Date(start)).toEqual(new Date(2026, 11, 3, 0, 0, 0, 0));
    expect(new Date(end)).toEqual(new Date(2026, 11, 3, 23, 59, 59, 999));
  });

  it('rolls over month and year ends', () => {
    expect(dayEnd('2026-12-31')! + 1).toBe(new Date(2027, 0, 1).getTime());
    expect(dayEnd('2028-02-28')! + 1).toBe(dayStart('2028-02-29'));
  });

  it('gives undefined for an empty or malformed value', () => {
    for (const bad of ['', '2026-1-3', '03.12.2026', 'yesterday']) {
      expect(dayStart(bad)).toBeUndefined();
      expect(dayEnd(bad)).toBeUndefined();
    }
  });
});
