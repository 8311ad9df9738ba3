import { describe, expect, it } from 'vitest';
import { customRange, periodRange } from '../src/common/kpi-period.js';

describe('KPI periods', () => {
  it('ends a preset period now', () => {
    expect(periodRange('24h', 100 * 86_400_000)).toEqual({ from: 99 * 86_400_000, to: 100 * 86_400_000 });
    expect(periodRange('7d', 10 * 86_400_000).from).toBe(3 * 86_400_000);
  });
  it('includes the whole last day of a custom range and refuses reversed or bad dates', () => {
    const r = customRange('2025-03-01', '2025-03-01')!;
    expect(r.to - r.from).toBe(86_400_000);
    expect(customRange('2025-03-02', '2025-03-01')).toBeUndefined();
    expect(customRange('', '2025-03-01')).toBeUndefined();
  });
});
