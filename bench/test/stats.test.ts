import { describe, expect, it } from 'vitest';
import { median, pairedRatios, percentile, percentiles, roundOrder, spread } from '../src/stats.js';
import { renderTable, summarizeRow } from '../src/report.js';

describe('bench statistics', () => {
  it('takes the median of odd and even counts, ignoring non-finite rounds', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, Number.NaN, 1, 3])).toBe(3);
    expect(median([])).toBeNaN();
  });

  it('reports median and min–max over rounds', () => {
    expect(spread([10, 30, 20])).toEqual({ median: 20, min: 10, max: 30, n: 3 });
    expect(spread([Number.NaN])).toMatchObject({ n: 0 });
  });

  it('pairs ratios within each round, not across medians', () => {
    // A slow second round slows both systems; the paired ratio stays 0.5.
    const ratios = pairedRatios([5, 50, 6], [10, 100, 12]);
    expect(ratios).toEqual([0.5, 0.5, 0.5]);
    // Dividing medians instead would give 6 / 12 = 0.5 here too, but not when rounds drift unevenly:
    expect(spread(pairedRatios([9, 2, 3], [10, 4, 3])).median).toBeCloseTo(0.9);
    expect(pairedRatios([1, 2], [0, Number.NaN]).every(Number.isNaN)).toBe(true);
  });

  it('computes nearest-rank percentiles', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => 1000 - i); // 1000..1, unsorted
    expect(percentiles(samples, [50, 99, 99.9, 100])).toEqual([500, 990, 999, 1000]);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('rotates the system order every round', () => {
    expect(roundOrder(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(roundOrder(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(roundOrder(['a', 'b', 'c'], 3)).toEqual(['a', 'b', 'c']);
  });

  it('renders a row with median, spread, baseline and paired ratio', () => {
    const row = {
      metric: 'msgs/s',
      unit: 'msg/s',
      system: 'touchpoint',
      rounds: [900, 1000, 950],
      baseline: { system: 'aedes', rounds: [1000, 1000, 1000] },
      higherIsBetter: true,
      goal: '≥ 0.9×',
    };
    expect(summarizeRow(row).ratio).toMatchObject({ median: 0.95, min: 0.9, max: 1 });
    const table = renderTable([row]);
    expect(table).toContain(
      '| msgs/s | msg/s | touchpoint | 950 | 900–1,000 | aedes | 1,000 | 1,000–1,000 | 0.95× | 0.90×–1.00× | ≥ 0.9× |',
    );
  });
});
