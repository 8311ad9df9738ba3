import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngineAuth } from '@touchpoint/broker';
import { serve } from '../ipc.js';

/**
 * `touchpoint engine-auth` in its own process (issue 15), so that its CPU is measured alone while
 * the harness plays RabbitMQ's HTTP auth backend. argv[2]: the identity TTL in ms (0: no caches).
 */
export interface EngineAuthInfo {
  pid: number;
  url: string;
  /** The fleet's data folder (SQLite database, service token): fleet workers of a cluster run share it. */
  dataDir: string;
}

const dataDir = mkdtempSync(join(tmpdir(), 'tp-bench-engine-auth-'));
const auth = await startEngineAuth({ dataDir, log: 'silent', identityTtlMs: Number(process.argv[2] ?? 10_000) });

async function provision(p: { prefix: string; count: number }): Promise<{ id: string; token: string }[]> {
  const out: { id: string; token: string }[] = [];
  for (let i = 0; i < p.count; i++) {
    const id = `${p.prefix}${String(i).padStart(5, '0')}`;
    out.push({ id, token: (await auth.devices.provision(id, 'coffee-machine', [])).token });
  }
  return out;
}

const info: EngineAuthInfo = { pid: process.pid, url: auth.url, dataDir };
serve({ provision, counters: () => auth.counters.snapshot() }, info, async () => {
  await auth.close();
  rmSync(dataDir, { recursive: true, force: true });
});
