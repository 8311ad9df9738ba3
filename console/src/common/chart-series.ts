import type { DiagnosticsPoint, SensorSpec } from '@touchpoint/protocol';

/** Sensors a line chart can show: numbers, and booleans as 0/1. */
export function chartableSensors(sensors: readonly SensorSpec[]): SensorSpec[] {
  return sensors.filter((s) => s.type === 'number' || s.type === 'boolean');
}

/**
 * uPlot's column layout for one sensor: [seconds[], values[]]; a missing or
 * non-numeric reading is a gap (null), not a zero.
 */
export function sensorSeries(points: readonly DiagnosticsPoint[], sensorId: string): [number[], (number | null)[]] {
  const xs: number[] = [];
  const ys: (number | null)[] = [];
  for (const p of points) {
    const v = p.sensors[sensorId];
    xs.push(p.ts / 1000);
    ys.push(typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : null);
  }
  return [xs, ys];
}

/** Appends a point, keeping the newest `max`, in time order (late arrivals are placed, duplicates dropped). */
export function appendPoint(
  points: readonly DiagnosticsPoint[],
  point: DiagnosticsPoint,
  max: number,
): DiagnosticsPoint[] {
  if (points.some((p) => p.id === point.id)) return [...points];
  const next = [...points, point].sort((a, b) => a.ts - b.ts);
  return next.slice(Math.max(0, next.length - max));
}
