import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '@touchpoint/broker';
import { deviceTopic, header, type CaseDetail, type DiagnosticsMessage } from '@touchpoint/protocol';
import type { SignerKey } from '@touchpoint/protocol/signing';
import { StaffApi } from '../console/helpers.js';
import { openKiosk, type KioskSocket } from '../helpers/kiosk-socket.js';
import { rabbitmqInstalled } from '../helpers/rabbitmq-cluster.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import {
  embeddedFleet,
  eventually,
  startVirtualDevice,
  type DeviceFleet,
  type VirtualDevice,
} from '../helpers/virtual-device.js';
import {
  closed,
  spawnFleetWorker,
  startApiProcess,
  startEngineCluster,
  stopAll,
  type CliProcess,
  type EngineCluster,
} from './harness.js';

// Issue 15, "The existing integration tests (ingest, ACL, commands, offline outbox, help sessions,
// escalation, ...) run against both the embedded mode and the cluster mode": the same scenarios, with
// the real device agent and the virtual coffee machine, against `touchpoint broker` and against a
// three-node RabbitMQ with engine-auth, two fleet workers and an API process (the real CLI). The agent
// reaches its broker through a TCP relay, so a test can take its network away in both modes alike.
// Video signalling is not here: device signals do not reach an API process yet (docs/scale-out.md,
// "Video calls in cluster mode").

interface Deployment {
  fleet: Omit<DeviceFleet, 'brokerUrl'>;
  /** Where devices connect (the embedded broker, or one engine node). */
  mqttPort: number;
  staff: StaffApi;
  /** The fleet database, read-only, to count what was stored. */
  dbPath: string;
  stop(): Promise<void>;
}

async function embedded(): Promise<Deployment> {
  const dir = await mkdtemp(join(tmpdir(), 'tp-modes-embedded-'));
  const broker: RunningBroker = await startBroker({
    dataDir: dir,
    host: '127.0.0.1',
    mqttPort: 0,
    httpPort: 0,
    log: 'silent',
  });
  const staff = new StaffApi(`http://127.0.0.1:${broker.httpPort}`);
  await staff.loginReady('admin', broker.initialAdmin!.password);
  const { brokerUrl: _unused, ...fleet } = embeddedFleet(broker);
  return {
    fleet,
    mqttPort: broker.mqttPort,
    staff,
    dbPath: join(dir, 'fleet.sqlite'),
    async stop() {
      await broker.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function cluster(): Promise<Deployment> {
  if (!rabbitmqInstalled())
    throw new Error('rabbitmq-server is not installed: apt-get install rabbitmq-server (.ci/run installs it)');
  const ec: EngineCluster = await startEngineCluster();
  const processes: CliProcess[] = [];
  try {
    for (const [name, first] of [
      ['worker-1', 0],
      ['worker-2', 1],
    ] as const) {
      const w = spawnFleetWorker(ec, name, first);
      processes.push(w);
      await eventually(() => w.log().includes('consuming'), `${name} consuming (log: ${w.log()})`, 60_000);
    }
    const api = await startApiProcess(ec, 'api', 2, processes);
    // Printed with the console URL on a fresh data folder, which startApiProcess waited for.
    const password = /one-time password: (\S+)/.exec(api.log())?.[1];
    if (!password) throw new Error(`no first admin password from the API process: ${api.log()}`);
    const staff = new StaffApi(api.base);
    await staff.loginReady('admin', password);
    // The API process made the command key on the fresh data folder; devices trust its public half.
    const key = JSON.parse(await readFile(join(ec.dataDir, 'keys', 'command-signing.json'), 'utf8')) as SignerKey;
    return {
      fleet: {
        provision: (id, model, tags) => ec.auth.devices.provision(id, model, tags),
        signer: { keyId: key.keyId, publicKeyPem: key.publicKeyPem },
      },
      mqttPort: ec.cluster.nodes[0]!.mqttPort,
      staff,
      dbPath: join(ec.dataDir, 'fleet.sqlite'),
      async stop() {
        await stopAll(processes);
        await ec.stop();
      },
    };
  } catch (err) {
    await stopAll(processes);
    await ec.stop();
    throw err;
  }
}

/**
 * What the fleet stored for a device, in the device's order (its clock), as every read of history sorts:
 * competing fleet workers may store consecutive reports of one device in either order (issue 15).
 */
function stored(dbPath: string, table: 'diagnostics' | 'events', deviceId: string): { id: string; body: string }[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(`SELECT msg_id AS id, body FROM ${table} WHERE device_id = ? ORDER BY ts, rowid`)
      .all(deviceId) as { id: string; body: string }[];
  } finally {
    db.close();
  }
}

/** Message ids in the agent's outbox, oldest first (its SQLite file, read beside the running agent). */
function outbox(agentDataDir: string, kind?: 'diagnostics' | 'event'): string[] {
  const db = new Database(join(agentDataDir, 'agent.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT kind, message_id AS id FROM outbox ORDER BY seq').all() as {
      kind: string;
      id: string;
    }[];
    return rows.filter((r) => kind === undefined || r.kind === kind).map((r) => r.id);
  } finally {
    db.close();
  }
}
const outboxDepth = (agentDataDir: string) => outbox(agentDataDir).length;

describe.each([
  ['embedded', embedded],
  ['cluster', cluster],
] as const)('%s mode: the agent, the fleet and the console API', (mode, deploy) => {
  const DEVICE = `cm-${mode}`;
  let d: Deployment;
  let proxy: TcpProxy;
  let device: VirtualDevice;
  let agentDir: string;
  let kiosk: KioskSocket | undefined;

  beforeAll(async () => {
    d = await deploy();
    proxy = await startTcpProxy(d.mqttPort);
    agentDir = await mkdtemp(join(tmpdir(), `tp-modes-agent-${mode}-`));
    device = await startVirtualDevice(
      { ...d.fleet, brokerUrl: `mqtt://127.0.0.1:${proxy.port}` },
      {
        deviceId: DEVICE,
        dataDir: agentDir,
        pty: false,
        speed: 10,
        agent: {
          diagnosticsIntervalS: 0.5,
          keepaliveS: 5,
          reconnect: { minMs: 100, maxMs: 500, connectTimeoutMs: 3_000 },
        },
      },
    );
  }, 300_000);

  afterAll(async () => {
    kiosk?.close();
    await device?.stop();
    await proxy?.close();
    await d?.stop();
    if (agentDir) await rm(agentDir, { recursive: true, force: true });
  }, 120_000);

  it('stores the agent reports once, and the receipts empty its outbox', async () => {
    await eventually(() => stored(d.dbPath, 'diagnostics', DEVICE).length >= 3, 'three diagnostics stored', 60_000);
    await eventually(() => outboxDepth(agentDir) === 0, 'the outbox emptied by receipts', 30_000);
    const rows = stored(d.dbPath, 'diagnostics', DEVICE);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    const device = await d.staff.get(`/api/devices/${DEVICE}`);
    expect(device.status).toBe(200);
    expect(device.body).toMatchObject({ device: { id: DEVICE, online: true } });
  });

  it('refuses a device that publishes on another device topic, and stores nothing of it', async () => {
    const other = `${DEVICE}-other`;
    const { token } = await d.fleet.provision(other, 'coffee-machine', []);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, {
      clientId: other,
      username: other,
      password: token,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    });
    const forged: DiagnosticsMessage = {
      ...header(),
      deviceId: DEVICE,
      reason: 'periodic',
      mcu: { sensors: { water_tank_level: 1 }, errors: [] },
      agent: { outboxDepth: 0, outboxDropped: 0, reconnects: 0, link: 'up', uptimeS: 1 },
    };
    const gone = closed(client);
    client.publish(deviceTopic(DEVICE, 'diagnostics'), JSON.stringify(forged), { qos: 1 });
    // Both engines answer a refused publish by closing the connection (MQTT 3.1.1 has no negative PUBACK).
    await gone;
    // The device's own next reports are stored after the refusal; the forged one never is.
    const before = stored(d.dbPath, 'diagnostics', DEVICE).length;
    await eventually(() => stored(d.dbPath, 'diagnostics', DEVICE).length >= before + 2, 'later reports', 30_000);
    expect(stored(d.dbPath, 'diagnostics', DEVICE).map((r) => r.id)).not.toContain(forged.id);
    await client.endAsync(true);
  });

  it("runs a staff member's command on the device's MCU and shows its result in the API", async () => {
    const sent = await d.staff.post(`/api/devices/${DEVICE}/commands`, {
      action: 'set_brew_strength',
      params: { strength: 4 },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const id = (sent.body as { id: string }).id;
    const status = await eventually(
      async () => {
        const r = await d.staff.get(`/api/commands/${id}`);
        const s = (r.body as { status: string }).status;
        return s === 'succeeded' || s === 'failed' || s === 'rejected' ? s : undefined;
      },
      'the command finished',
      60_000,
    );
    expect(status).toBe('succeeded');
  });

  it('delivers what the agent made during an outage (reports and an MCU error) once, in order', async () => {
    await proxy.cut();
    await eventually(() => outbox(agentDir, 'diagnostics').length >= 4, 'reports kept while offline', 30_000);
    device.mcu.mcu.raise('E03');
    await eventually(() => outbox(agentDir, 'event').length >= 1, 'the error event kept while offline', 30_000);
    // What the outage left undelivered, in the order the agent made it.
    const keptDiagnostics = outbox(agentDir, 'diagnostics');
    const keptEvents = outbox(agentDir, 'event');
    await proxy.restore();
    await eventually(() => outboxDepth(agentDir) === 0, 'the outbox drained after the outage', 60_000);
    const rows = stored(d.dbPath, 'diagnostics', DEVICE);
    const ids = rows.map((r) => r.id);
    expect(new Set(ids).size, 'no report stored twice').toBe(rows.length);
    expect(
      ids.filter((id) => keptDiagnostics.includes(id)),
      'every kept report stored once, in the order the device made them',
    ).toEqual(keptDiagnostics);
    const eventIds = stored(d.dbPath, 'events', DEVICE).map((r) => r.id);
    expect(eventIds.filter((id) => keptEvents.includes(id))).toEqual(keptEvents);
    // Whatever order the workers stored them in, the fleet's view of the device is the newest one.
    const now = await d.staff.get(`/api/devices/${DEVICE}`);
    expect((now.body as { device: { errors: string[] } }).device.errors).toContain('E03');
    const ts = rows.map((r) => (JSON.parse(r.body) as DiagnosticsMessage).ts);
    expect(ts, 'stored in the order they were made').toEqual([...ts].sort((a, b) => a - b));
    const raised = stored(d.dbPath, 'events', DEVICE)
      .map((r) => JSON.parse(r.body) as { event: { type: string; code?: string } })
      .filter((e) => e.event.type === 'error.raised' && e.event.code === 'E03');
    expect(raised).toHaveLength(1);
  });

  it('escalates a help session from the touchscreen: the case and its trace reach staff, the claim reaches the device', async () => {
    kiosk = await openKiosk(device.uiUrl, device.kioskUrl);
    await kiosk.request('help.start', { flowId: 'descale', locale: 'en' });
    const opened = (await kiosk.request('help.case.open', {
      locale: 'en',
      reason: 'the descale failed',
      consent: { diagnostics: true, helpSession: true },
    })) as { caseId: string };
    const detail = await eventually(
      async () => {
        const r = await d.staff.get(`/api/cases/${opened.caseId}`);
        return r.status === 200 ? (r.body as CaseDetail) : undefined;
      },
      'the case in the API',
      60_000,
    );
    expect(detail).toMatchObject({ deviceId: DEVICE, status: 'open' });
    await eventually(
      async () => ((await d.staff.get(`/api/cases/${opened.caseId}`)).body as CaseDetail).trace.length > 0,
      "the help session's trace with the case",
      30_000,
    );
    const claimed = await d.staff.post(`/api/cases/${opened.caseId}`, { op: 'claim' });
    expect(claimed.status).toBe(200);
    await eventually(
      () => kiosk!.pushed.some((m) => m.type === 'case.status' && m.caseId === opened.caseId && m.status === 'claimed'),
      'the claim on the touchscreen',
      30_000,
    );
  });
});
