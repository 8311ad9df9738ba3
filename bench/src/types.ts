/**
 * The contract between benchmark suites and the harness. Every figure is paired
 * with a baseline measured in the same run (A B A B rounds), because these
 * machines are noisy.
 */
export interface BenchContext {
  /** `--quick`: a smoke run, the whole suite under two minutes. */
  quick: boolean;
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

export interface BenchSuite {
  name: string;
  run(ctx: BenchContext): Promise<SuiteResult>;
}
