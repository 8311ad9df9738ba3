import { describe, expect, it } from 'vitest';
import { timeAxisRange } from '../src/common/time-axis-range.js';

describe('timeAxisRange', () => {
  it('keeps a real range as it is', () => {
    expect(timeAxisRange(100, 160)).toEqual([100, 160]);
  });

  it('pads a single sample to a minute around it', () => {
    expect(timeAxisRange(1_700_000_000, 1_700_000_000)).toEqual([1_699_999_970, 1_700_000_030]);
  });
});
