import { defineConfig } from 'vitest/config';

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
