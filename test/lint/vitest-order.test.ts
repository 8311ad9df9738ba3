import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestSpecification, Vitest } from 'vitest/node';
import { SLOW_FIRST, SlowFirstSequencer, slowTier } from '../../scripts/vitest-slow-first.js';
import { REPO_ROOT } from '../helpers/virtual-device.js';

// vitest.config.ts hands files to its two CI workers slowest folder first (scripts/vitest-slow-first.ts).

/** A fresh clone's view of the files: no results cache, only their sizes, as vitest's BaseSequencer reads them. */
function sequencer(sizes: Record<string, number>): SlowFirstSequencer {
  const ctx = {
    config: { root: REPO_ROOT },
    cache: {
      getFileTestResults: () => undefined,
      getFileStats: (key: string) => ({ size: sizes[key.slice(key.indexOf(':') + 1)] ?? 0 }),
    },
  };
  return new SlowFirstSequencer(ctx as unknown as Vitest);
}

const spec = (path: string) =>
  ({ moduleId: join(REPO_ROOT, path), project: { name: 'p' } }) as unknown as TestSpecification;

describe('the slow-first test order', () => {
  it('names folders that exist and hold test files, so a renamed folder does not silently lose its place', () => {
    for (const prefix of SLOW_FIRST) {
      const dir = join(REPO_ROOT, prefix);
      expect(existsSync(dir), prefix).toBe(true);
      expect(
        readdirSync(dir).some((f) => f.endsWith('.test.ts')),
        `${prefix} holds test files`,
      ).toBe(true);
    }
  });

  it('starts the cluster and demo files first, then the browser suites, then the rest in vitest order (larger first)', async () => {
    const files = [
      'protocol/test/topics.test.ts',
      'test/console/console.test.ts',
      'test/demo/demo.test.ts',
      'broker/test/cli.test.ts',
      'test/cluster/api.test.ts',
      'test/cluster/webhooks.test.ts',
    ];
    const sizes = {
      'protocol/test/topics.test.ts': 100,
      'test/console/console.test.ts': 900,
      'test/demo/demo.test.ts': 500,
      'broker/test/cli.test.ts': 300,
      'test/cluster/api.test.ts': 200,
      'test/cluster/webhooks.test.ts': 400,
    };
    const sorted = await sequencer(sizes).sort(files.map(spec));
    expect(sorted.map((s) => s.moduleId.slice(REPO_ROOT.length + 1))).toEqual([
      'test/cluster/webhooks.test.ts',
      'test/cluster/api.test.ts',
      'test/demo/demo.test.ts',
      'test/console/console.test.ts',
      'broker/test/cli.test.ts',
      'protocol/test/topics.test.ts',
    ]);
    expect(slowTier('test/cluster/api.test.ts')).toBe(0);
    expect(slowTier('broker/test/cli.test.ts')).toBe(SLOW_FIRST.length);
  });
});
