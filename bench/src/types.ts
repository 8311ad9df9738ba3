/**
 * The contract between benchmark suites and the harness. Every figure is paired
 * with a baseline measured in the same run (A B A B rounds), because these
 * machines are noisy.
 */
export interface BenchContext {
  /** `--quick`: a smoke run, the whole suite under two minutes. */
  quick: boolean;
  /** Rounds per measurement (at least 3): every row reports the median and min-max over them. */
  rounds: number;
  /** Progress output for long work. */
  log(message: string): void;
}

export interface BenchRow {
  /** What is measured, e.g. "ingest QoS 1 msgs/s". */
  metric: string;
  unit: string;
  /** The system under test, e.g. "touchpoint". */
  system: string;
  /** One value per round; the harness reports median and min-max. */
  rounds: number[];
  /** The baseline measured in the same rounds (paired by index), if any. */
  baseline?: { system: string; rounds: number[] };
  /** true when a larger value is better (throughput), false for latency/memory. */
  higherIsBetter: boolean;
  /** The goal from the issue, for the report, e.g. ">= 0.9x bare aedes". */
  goal?: string;
  note?: string;
}

export interface SuiteResult {
  suite: string;
  /** The exact load shape, written into docs/benchmarks.md. */
  loadShape: string;
  rows: BenchRow[];
  /** Reasons a column or row was skipped (e.g. mosquitto missing). */
  skipped?: string[];
}

/**
 * A suite module in bench/src/suites/ exports `suite: BenchSuite` (a default
 * export works too). The harness finds suites through bench/src/registry.ts and
 * reports a missing one instead of failing.
 */
export interface BenchSuite {
  name: string;
  run(ctx: BenchContext): Promise<SuiteResult>;
}
