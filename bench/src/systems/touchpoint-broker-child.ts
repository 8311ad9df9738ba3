import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '@touchpoint/broker';
import { wallNow } from '../clock.js';
import { serve } from '../ipc.js';
import type { DeviceCredential, Sample } from '../load/loadgen-protocol.js';
import type { TouchpointInfo } from './system-protocol.js';
import { windowProfiler } from './window-profiler.js';
import { loopStalls } from './loop-stalls.js';
import { commandRoundHandlers } from './command-round-handlers.js';

/**
 * The Touchpoint broker in its own process (startBroker: aedes + auth + ACL +
 * zod validation + SQLite ingest, exactly as `touchpoint broker` runs it), so
 * its CPU and RSS are measured alone. The fleet-side parts of a benchmark that
 * need the fleet object (provisioning, stored-status times) run here too.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'tp-bench-broker-'));
const broker = await startBroker({ dataDir, mqttPort: 0, httpPort: 0, log: 'silent', expirySweepMs: 60_000 });
const { fleet } = broker;
// A support agent for the console API's POST /api/devices/:id/commands (role agent).
const agent = await fleet.staff.add('bench-agent', 'agent');

let storedDiagnostics = 0;
fleet.live.on('diagnostics', () => {
  storedDiagnostics++;
});

// Command path: the stored `succeeded` (what the console would show) ends the round trip. Its time is
// taken here, in the broker, and paired with the send time the API driver recorded, by command id.
const commandRound = commandRoundHandlers(fleet);

async function provision(p: { prefix: string; count: number; model: string }): Promise<DeviceCredential[]> {
  const batch = Array.from({ length: p.count }, (_, i) => ({
    deviceId: `${p.prefix}${String(i).padStart(5, '0')}`,
    model: p.model,
  }));
  return (await fleet.devices.provisionMany(batch)).map((d) => ({ id: d.deviceId, token: d.token }));
}

const info: TouchpointInfo = {
  pid: process.pid,
  port: broker.mqttPort,
  httpPort: broker.httpPort,
  signer: fleet.signer,
  staff: { name: agent.staff.name, password: agent.password },
};

serve(
  {
    provision,
    sampleStored: (): Sample => ({ count: storedDiagnostics, at: wallNow() }),
    countDiagnosticsRows: () => fleet.db.prepare('SELECT COUNT(*) FROM diagnostics').pluck().get() as number,
    counters: () => broker.counters.snapshot(),
    ...windowProfiler,
    ...loopStalls,
    gc: () => (globalThis as { gc?: () => void }).gc?.(),
    ...commandRound,
  },
  info,
  async () => {
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  },
);
