import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './scripts/vitest-slow-first.js';

// One vitest project per workspace, plus test/ for cross-workspace suites.
const workspaces = [
  'protocol',
  'models',
  'runtime',
  'firmware-bridge',
  'device-agent',
  'broker',
  'console',
  'cli',
  'bench',
];

export default defineConfig({
  test: {
    // vitest's default is one worker fewer than the cores, which on CI's 2 cores is a single worker: the
    // suite ran file after file while most files wait on child processes, brokers and Chromium. Two
    // workers there; on larger machines the default stands.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      ...workspaces.map((name) => ({
        test: { name, root: `./${name}`, include: ['test/**/*.test.ts'], testTimeout: 20_000, hookTimeout: 30_000 },
      })),
      {
        test: {
          name: 'integration',
          root: './test',
          include: ['**/*.test.ts'],
          testTimeout: 90_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
