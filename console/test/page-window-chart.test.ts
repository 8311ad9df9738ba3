import { describe, expect, it } from 'vitest';
import type { DiagnosticsPoint } from '@touchpoint/protocol';
import { appendPoint, chartableSensors, sensorSeries } from '../src/common/chart-series.js';
import { pagesForRange } from '../src/common/page-window.js';

describe('pagesForRange', () => {
  it('covers the visible rows plus read-ahead, within the total', () => {
    expect(pagesForRange(0, 20, 100, 10_000)).toEqual([0]);
    expect(pagesForRange(95, 130, 100, 10_000)).toEqual([0, 1]);
    expect(pagesForRange(250, 260, 100, 10_000, 60)).toEqual([1, 2, 3]);
    expect(pagesForRange(9990, 9999, 100, 10_000, 200)).toEqual([97, 98, 99]);
    expect(pagesForRange(0, -1, 100, 0)).toEqual([]);
  });
});

const point = (id: string, ts: number, sensors: DiagnosticsPoint['sensors']): DiagnosticsPoint => ({
  id,
  ts,
  reason: 'periodic',
  sensors,
  errors: [],
  agent: { outboxDepth: 0, outboxDropped: 0, reconnects: 0, link: 'up', uptimeS: 1 },
});

describe('chart series', () => {
  it('charts numbers and booleans, with gaps for missing values', () => {
    const points = [
      point('a', 1000, { t: 20, b: true }),
      point('b', 2000, { b: false }),
      point('c', 3000, { t: 'n/a' }),
    ];
    expect(sensorSeries(points, 't')).toEqual([
      [1, 2, 3],
      [20, null, null],
    ]);
    expect(sensorSeries(points, 'b')).toEqual([
      [1, 2, 3],
      [1, 0, null],
    ]);
    const label = { de: 'x', en: 'x' };
    expect(
      chartableSensors([
        { id: 'a', type: 'number', label },
        { id: 'b', type: 'string', label },
        { id: 'c', type: 'boolean', label },
      ]).map((s) => s.id),
    ).toEqual(['a', 'c']);
  });
  it('appends in time order, drops duplicates and keeps the newest', () => {
    const pts = [point('a', 1000, {}), point('b', 3000, {})];
    expect(appendPoint(pts, point('c', 2000, {}), 10).map((p) => p.id)).toEqual(['a', 'c', 'b']);
    expect(appendPoint(pts, point('a', 1000, {}), 10).map((p) => p.id)).toEqual(['a', 'b']);
    expect(appendPoint(pts, point('d', 4000, {}), 2).map((p) => p.id)).toEqual(['b', 'd']);
  });
});
