import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '@touchpoint/broker';
import { wallNow, waitFor } from '../clock.js';
import { serve } from '../ipc.js';
import { runOpenLoop } from '../load/open-loop.js';
import type { ConsoleRunResult, DeviceCredential, Sample } from '../load/loadgen-protocol.js';
import type { TouchpointCommandRun, TouchpointInfo } from './system-protocol.js';

/**
 * The Touchpoint broker in its own process (startBroker: aedes + auth + ACL +
 * zod validation + SQLite ingest, exactly as `touchpoint broker` runs it), so
 * its CPU and RSS are measured alone. The fleet-side parts of a benchmark that
 * need the fleet object (provisioning, the command driver) run here too.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'tp-bench-broker-'));
const broker = await startBroker({ dataDir, mqttPort: 0, httpPort: 0, log: 'silent', expirySweepMs: 60_000 });
const { fleet } = broker;
const { staff } = await fleet.staff.add('bench-agent', 'agent');

let storedDiagnostics = 0;
fleet.live.on('diagnostics', () => {
  storedDiagnostics++;
});

// Command path: the `queued` event fires synchronously inside send(), before the publish, which ties the
// command id to its scheduled time; the stored `succeeded` (what the console would show) ends the round trip.
let scheduling: number | undefined;
const scheduledAt = new Map<string, number>();
const latencies: number[] = [];
let measureFrom = Number.POSITIVE_INFINITY;
let succeeded = 0;
fleet.live.on('command', (e) => {
  if (e.status === 'queued') {
    if (scheduling !== undefined) scheduledAt.set(e.commandId, scheduling);
    return;
  }
  if (e.status !== 'succeeded') return;
  const at = wallNow();
  const t0 = scheduledAt.get(e.commandId);
  if (t0 === undefined) return;
  scheduledAt.delete(e.commandId);
  succeeded++;
  if (t0 >= measureFrom) latencies.push(at - t0);
});

function provision(p: { prefix: string; count: number; model: string }): DeviceCredential[] {
  const out: DeviceCredential[] = [];
  fleet.db.transaction(() => {
    for (let i = 0; i < p.count; i++) {
      const id = `${p.prefix}${String(i).padStart(5, '0')}`;
      out.push({ id, token: fleet.provisionDevice(id, p.model).token });
    }
  })();
  return out;
}

async function commandRun(p: TouchpointCommandRun): Promise<ConsoleRunResult & { errors: string[] }> {
  scheduledAt.clear();
  latencies.length = 0;
  succeeded = 0;
  measureFrom = Number.POSITIVE_INFINITY;
  const errors: string[] = [];
  let failedSends = 0;
  const total = p.warmup + p.count;
  const loop = await runOpenLoop(p.rate, total, (i, t0) => {
    if (i === p.warmup) measureFrom = t0;
    scheduling = t0;
    // The fleet service entry point the console API calls: role check, catalog + params, sign, audit, publish.
    fleet.commands
      .send({ deviceId: p.targets[i % p.targets.length]!, action: p.action, params: p.params, staff })
      .catch((err: unknown) => {
        failedSends++;
        if (errors.length < 5) errors.push((err as Error).message);
      });
    scheduling = undefined;
  });
  await waitFor(() => scheduledAt.size === 0, p.drainMs, 20);
  return { latencies: [...latencies], issued: total, succeeded, lost: scheduledAt.size + failedSends, maxLagMs: loop.maxLagMs, errors };
}

const info: TouchpointInfo = { pid: process.pid, port: broker.mqttPort, httpPort: broker.httpPort, signer: fleet.signer };

serve(
  {
    provision,
    sampleStored: (): Sample => ({ count: storedDiagnostics, at: wallNow() }),
    countDiagnosticsRows: () => fleet.db.prepare('SELECT COUNT(*) FROM diagnostics').pluck().get() as number,
    commandStatusCounts: () => Object.fromEntries((fleet.db.prepare('SELECT status, COUNT(*) AS n FROM commands GROUP BY status').all() as { status: string; n: number }[]).map((r) => [r.status, r.n])),
    counters: () => broker.counters.snapshot(),
    gc: () => (globalThis as { gc?: () => void }).gc?.(),
    commandRun,
  },
  info,
  async () => {
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  },
);
