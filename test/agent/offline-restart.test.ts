import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningBroker } from '@touchpoint/broker';
import type { DiagnosticsMessage } from '@touchpoint/protocol';
import { Harness, outboxDepth, queuedReports, sleep, spawnAgent, waitFor, writeAgentConfig } from './harness.js';

/** What the fleet stored for a device, in the order it arrived (rowid is insertion order). */
function stored(
  brokerDataDir: string,
  table: 'diagnostics' | 'events',
  deviceId: string,
): { id: string; body: string }[] {
  const db = new Database(join(brokerDataDir, 'fleet.sqlite'), { readonly: true });
  try {
    return db.prepare(`SELECT msg_id AS id, body FROM ${table} WHERE device_id = ? ORDER BY rowid`).all(deviceId) as {
      id: string;
      body: string;
    }[];
  } finally {
    db.close();
  }
}

describe('agent outbox across a broker outage and a SIGKILL (real broker, virtual MCU over a pty)', () => {
  const h = new Harness();
  afterEach(() => h.cleanup());

  async function setup(deviceId: string, extra: Record<string, unknown> = {}) {
    const brokerDir = await h.tempDir('tp-broker-');
    let broker: RunningBroker = await h.broker(brokerDir);
    const port = broker.mqttPort;
    const mcu = await h.mcu();
    const { token } = await broker.fleet.provisionDevice(deviceId, 'coffee-machine');
    const files = await writeAgentConfig(await h.tempDir('tp-agent-'), {
      deviceId,
      brokerUrl: `mqtt://127.0.0.1:${port}`,
      token,
      serial: { path: mcu.devicePath, requestTimeoutMs: 300 },
      trustedKeys: [broker.fleet.signer],
      diagnosticsIntervalS: 0.2,
      keepaliveS: 5,
      reconnect: { minMs: 100, maxMs: 400, connectTimeoutMs: 2_000 },
      ...extra,
    });
    return {
      brokerDir,
      mcu,
      files,
      get broker() {
        return broker;
      },
      async restartBroker() {
        broker = await h.broker(brokerDir, port);
      },
    };
  }

  it('delivers every report exactly once and in order after the broker was away and the agent was killed', async () => {
    const deviceId = 'cm-outage';
    const s = await setup(deviceId);
    const first = spawnAgent(h, s.files.configPath);
    await waitFor(() => stored(s.brokerDir, 'diagnostics', deviceId).length >= 3, 'diagnostics while online', 30_000);

    await s.broker.close();
    const producedOffline = () => queuedReports(first.lines, 'diagnostics').length;
    const before = producedOffline();
    await waitFor(() => producedOffline() >= before + 8, 'diagnostics produced while the broker is down');
    s.mcu.mcu.raise('E03'); // an MCU error during the outage becomes an event that must arrive too
    await waitFor(() => queuedReports(first.lines, 'event').length >= 1, 'error event queued while offline');
    await first.kill('SIGKILL');
    expect(outboxDepth(s.files.dataDir)).toBeGreaterThan(0);

    const second = spawnAgent(h, s.files.configPath);
    await waitFor(
      () => queuedReports(second.lines, 'diagnostics').length >= 5,
      'diagnostics after the restart, still offline',
      30_000,
    );
    await s.restartBroker();
    await waitFor(() => second.lines.some((l) => l.includes('connected to broker')), 'reconnected', 20_000);
    await waitFor(() => outboxDepth(s.files.dataDir) === 0, 'outbox drained', 20_000);
    await second.kill('SIGTERM');

    const committed = [...queuedReports(first.lines, 'diagnostics'), ...queuedReports(second.lines, 'diagnostics')];
    const arrived = stored(s.brokerDir, 'diagnostics', deviceId).map((r) => r.id);
    // Exactly once: every committed report is stored, none twice (msg_id is the key; ids are unique per report).
    expect(new Set(arrived).size).toBe(arrived.length);
    expect(committed.filter((id) => !arrived.includes(id))).toEqual([]);
    // In order: the stored sequence is the commit sequence.
    expect(arrived.filter((id) => committed.includes(id))).toEqual(committed);
    const ts = stored(s.brokerDir, 'diagnostics', deviceId).map((r) => (JSON.parse(r.body) as DiagnosticsMessage).ts);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));

    const events = stored(s.brokerDir, 'events', deviceId).map(
      (r) => JSON.parse(r.body) as { id: string; event: { type: string; code?: string } },
    );
    expect(events.filter((e) => e.event.type === 'error.raised' && e.event.code === 'E03')).toHaveLength(1);
    const committedEvents = [...queuedReports(first.lines, 'event'), ...queuedReports(second.lines, 'event')];
    expect(events.map((e) => e.id).filter((id) => committedEvents.includes(id))).toEqual(committedEvents);
  });

  it('with a tiny outbox bound drops the oldest diagnostics, keeps events and reports the dropped count', async () => {
    const deviceId = 'cm-tiny';
    const s = await setup(deviceId, { outbox: { maxEntries: 5 } });
    const agent = spawnAgent(h, s.files.configPath);
    await waitFor(() => stored(s.brokerDir, 'diagnostics', deviceId).length >= 2, 'diagnostics while online', 30_000);
    await s.broker.close();
    s.mcu.mcu.raise('E03');
    const before = queuedReports(agent.lines, 'diagnostics').length;
    await waitFor(
      () => queuedReports(agent.lines, 'diagnostics').length >= before + 12,
      'more diagnostics than the bound',
    );
    await sleep(100);
    await s.restartBroker();
    await waitFor(
      () => outboxDepth(s.files.dataDir) === 0 && stored(s.brokerDir, 'diagnostics', deviceId).length > 0,
      'outbox drained',
      20_000,
    );

    const latest = await waitFor(
      () => {
        const rows = stored(s.brokerDir, 'diagnostics', deviceId).map((r) => JSON.parse(r.body) as DiagnosticsMessage);
        const last = rows.at(-1);
        return last && last.agent.outboxDropped > 0 ? last : undefined;
      },
      'a diagnostics snapshot reporting drops',
      20_000,
    );
    expect(latest.agent.outboxDropped).toBeGreaterThanOrEqual(7);
    expect(agent.lines.some((l) => l.includes('outbox full: dropped the oldest diagnostics'))).toBe(true);
    const events = stored(s.brokerDir, 'events', deviceId).map(
      (r) => JSON.parse(r.body) as { event: { type: string; code?: string } },
    );
    expect(events.some((e) => e.event.type === 'error.raised' && e.event.code === 'E03')).toBe(true);
  });
});
