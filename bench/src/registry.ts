import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchSuite } from './types.js';

/**
 * Every suite the harness knows, in run order. Suites written by other parts
 * of the project are listed here before they exist: a missing file is reported
 * as "not present yet", never a failure.
 */
export const SUITES: readonly { key: string; file: string; owner: string }[] = [
  { key: 'ingest', file: 'ingest.ts', owner: 'bench' },
  { key: 'connections', file: 'connections.ts', owner: 'bench' },
  { key: 'commands', file: 'commands.ts', owner: 'bench' },
  { key: 'agent-idle', file: 'agent-idle.ts', owner: 'device-agent' },
  { key: 'serial', file: 'serial.ts', owner: 'firmware-bridge' },
  { key: 'fleet-view', file: 'fleet-view.ts', owner: 'console' },
  { key: 'touch-ui', file: 'touch-ui.ts', owner: 'touchscreen UI' },
  { key: 'engine-auth', file: 'engine-auth.ts', owner: 'scale-out' },
  { key: 'query-layer', file: 'query-layer.ts', owner: 'scale-out' },
  { key: 'cluster', file: 'cluster.ts', owner: 'scale-out' },
];

export type Loaded =
  { key: string; suite: BenchSuite } | { key: string; missing: string } | { key: string; error: string };

function isSuite(value: unknown): value is BenchSuite {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as BenchSuite).name === 'string' &&
    typeof (value as BenchSuite).run === 'function'
  );
}

export async function loadSuite(entry: (typeof SUITES)[number]): Promise<Loaded> {
  const url = new URL(`./suites/${entry.file}`, import.meta.url);
  if (!existsSync(fileURLToPath(url)))
    return { key: entry.key, missing: `bench/src/suites/${entry.file} is not present yet (${entry.owner})` };
  try {
    const mod = (await import(url.href)) as Record<string, unknown>;
    const candidate = [mod.suite, mod.default, ...Object.values(mod)].find(isSuite);
    if (!candidate)
      return {
        key: entry.key,
        error: `bench/src/suites/${entry.file} exports no BenchSuite (expected \`export const suite: BenchSuite\`)`,
      };
    return { key: entry.key, suite: candidate };
  } catch (err) {
    return { key: entry.key, error: `bench/src/suites/${entry.file} failed to load: ${(err as Error).message}` };
  }
}
