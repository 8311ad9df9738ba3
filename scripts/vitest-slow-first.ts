/**
 * The order vitest hands test files to its workers: the suites known to run longest first, so on a
 * 2-core CI machine (two workers) no 30-60 s file starts last and runs alone while the other worker
 * idles (longest-processing-time-first scheduling). Within a tier, and for every other file, vitest's
 * own order stays: files that failed last time, then by the durations of the last run when its
 * cache has them (a developer's machine), else larger files first (a fresh clone, CI).
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Folders from the repository root, slowest first, by the per-file durations of a full run:
 * each cluster file boots a three-node RabbitMQ (about 15 CPU-seconds) and runs 25-60 s, a demo
 * file runs the whole `touchpoint demo` (15-35 s); the browser and agent suites take 5-16 s each.
 */
export const SLOW_FIRST: readonly string[] = [
  'test/cluster/',
  'test/demo/',
  'test/touch-ui/',
  'test/video/',
  'test/webhooks/',
  'test/agent/',
  'test/e2e/',
  'test/console/',
];

/** The tier of a file's path (relative to the root, `/`-separated): its SLOW_FIRST index, or after all of them. */
export function slowTier(path: string): number {
  const tier = SLOW_FIRST.findIndex((prefix) => path.startsWith(prefix));
  return tier === -1 ? SLOW_FIRST.length : tier;
}

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const ordered = await super.sort(files);
    const tierOf = new Map(ordered.map((f) => [f, slowTier(relative(root, f.moduleId).split('\\').join('/'))]));
    // Array.prototype.sort is stable: vitest's order holds within a tier.
    return ordered.sort((a, b) => tierOf.get(a)! - tierOf.get(b)!);
  }
}
