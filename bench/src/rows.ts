import type { BenchRow } from './types.js';

/** Per-system values of one metric, one entry per round (NaN for a round that could not be measured). */
export type PerSystem = Map<string, number[]>;

export interface CompareOptions {
  metric: string;
  unit: string;
  higherIsBetter: boolean;
  /** [system, baseline] pairs, by label; pairs with a missing side are left out. */
  pairs: [string, string][];
  goals?: Record<string, string>;
  notes?: Record<string, string>;
}

/** One row per (system, baseline) pair, the ratio paired within each round by the report. */
export function compareRows(values: PerSystem, o: CompareOptions): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const [system, base] of o.pairs) {
    const v = values.get(system);
    const b = values.get(base);
    if (!v || !b) continue;
    const key = `${system} vs ${base}`;
    rows.push({
      metric: o.metric,
      unit: o.unit,
      system,
      rounds: v,
      baseline: { system: base, rounds: b },
      higherIsBetter: o.higherIsBetter,
      ...(o.goals?.[key] ? { goal: o.goals[key] } : {}),
      ...(o.notes?.[key] ? { note: o.notes[key] } : {}),
    });
  }
  return rows;
}

/** Records `value` for `system` in round `round`, growing the array with NaN for rounds not reached. */
export function record(values: PerSystem, system: string, round: number, value: number): void {
  const arr = values.get(system) ?? [];
  while (arr.length <= round) arr.push(Number.NaN);
  arr[round] = value;
  values.set(system, arr);
}

/** All pairs in order: each system against every later one (touchpoint vs aedes, touchpoint vs mosquitto, aedes vs mosquitto). */
export function allPairs(labels: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++) out.push([labels[i]!, labels[j]!]);
  return out;
}
