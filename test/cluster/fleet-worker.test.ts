import { join } from 'node:path';
import { connect as amqpConnect, type ChannelModel } from 'amqplib';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopic, header, receiptMessage } from '@touchpoint/protocol';
import { rabbitmqInstalled } from '../helpers/rabbitmq-cluster.js';
import { eventually } from '../helpers/virtual-device.js';
import {
  type CliProcess,
  closed,
  connect,
  type EngineCluster,
  ingestQueue,
  spawnFleetWorker,
  startEngineCluster,
} from './harness.js';

// Issue 15, "Stateless fleet workers": two `touchpoint fleet-worker` processes (the real CLI) consume
// device reports from a quorum queue on a real three-node RabbitMQ cluster, store them in one SQLite
// file and send each device its receipts; a worker killed with `kill -9` during ingest loses nothing
// and stores nothing twice. Real parts, not skipped: without rabbitmq-server these tests fail and say so.
const installed = rabbitmqInstalled();
const DEVICES = ['fw-1', 'fw-2', 'fw-3', 'fw-4'] as const;

let ec: EngineCluster;
let db: Database.Database;
const tokens = new Map<string, string>();
const devices = new Map<string, MqttClient>();
/** Every receipted id per device (a set: a redelivered report is receipted again). */
const receipted = new Map<string, Set<string>>();
/** Ids receipted as refused, with their code. */
const refusedIds = new Map<string, string>();
const workers: CliProcess[] = [];
const startWorker = (name: string, firstNode: number): CliProcess => {
  const w = spawnFleetWorker(ec, name, firstNode);
  workers.push(w);
  return w;
};
const logOf = (w: CliProcess) => w.log();

function diagnostics(deviceId: string, n: number): { id: string; json: string } {
  const h = header();
  const json = JSON.stringify({
    ...h,
    deviceId,
    reason: 'periodic',
    mcu: { sensors: { water_tank_level: n % 100, boiler_temp: 92.5 }, errors: [] },
    agent: { outboxDepth: 0, outboxDropped: 0, reconnects: 0, link: 'up', uptimeS: n },
  });
  return { id: h.id, json };
}

/** Each device publishes `perDevice` diagnostics at QoS 1, all devices at once; `sent` gets each id as it goes out. */
async function publishBatch(
  perDevice: number,
  sent: string[] = [],
  from: readonly string[] = DEVICES,
): Promise<string[]> {
  await Promise.all(
    from.map(async (id) => {
      for (let n = 0; n < perDevice; n++) {
        const d = diagnostics(id, n);
        sent.push(d.id);
        await devices.get(id)!.publishAsync(deviceTopic(id, 'diagnostics'), d.json, { qos: 1 });
      }
    }),
  );
  return sent;
}

function storedOf(ids: readonly string[]): { rows: number; uniq: number } {
  const list = JSON.stringify(ids);
  return db
    .prepare(
      'SELECT COUNT(*) AS rows, COUNT(DISTINCT msg_id) AS uniq FROM diagnostics WHERE msg_id IN (SELECT value FROM json_each(?))',
    )
    .get(list) as { rows: number; uniq: number };
}

function unreceipted(ids: readonly string[]): number {
  const all = new Set<string>();
  for (const set of receipted.values()) for (const id of set) all.add(id);
  return ids.filter((id) => !all.has(id)).length;
}

describe('cluster mode: stateless fleet workers on a three-node RabbitMQ', () => {
  beforeAll(async () => {
    if (!installed)
      throw new Error('rabbitmq-server is not installed: apt-get install rabbitmq-server (.ci/run installs it)');
    ec = await startEngineCluster();
    console.info(`three-node RabbitMQ cluster started in ${ec.cluster.startMs} ms`);
    for (const id of DEVICES) tokens.set(id, (await ec.auth.devices.provision(id, 'coffee-machine', [])).token);
    db = new Database(join(ec.dataDir, 'fleet.sqlite'), { readonly: true });
    const a = startWorker('worker-a', 0);
    const b = startWorker('worker-b', 1);
    for (const w of [a, b])
      await eventually(() => logOf(w).includes('consuming'), `${w.name} consuming (log: ${logOf(w)})`, 60_000);
    await eventually(
      async () => (await ingestQueue(ec, 2)).consumers === 2,
      'two consumers on tp.fleet.ingest',
      20_000,
    );
    // Devices on different nodes, each listening for its receipts.
    for (const [i, id] of DEVICES.entries()) {
      const client = await connect(ec.cluster.nodes[i % 3]!.mqttUrl, {
        clientId: id,
        username: id,
        password: tokens.get(id)!,
        clean: true,
      });
      receipted.set(id, new Set());
      client.on('message', (_topic, payload) => {
        const r = receiptMessage.safeParse(JSON.parse(payload.toString()));
        if (!r.success) return;
        for (const mid of r.data.ids) receipted.get(id)!.add(mid);
        for (const { id: mid, code } of r.data.refused ?? []) refusedIds.set(mid, code);
      });
      await client.subscribeAsync(deviceTopic(id, 'receipt'), { qos: 0 });
      devices.set(id, client);
    }
    // Three Erlang VMs and two worker processes on two loaded cores.
  }, 240_000);
  afterAll(async () => {
    await Promise.all([...devices.values()].map((c) => c.endAsync(true)));
    for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    db?.close();
    if (!ec) return;
    await ec.stop();
    expect(ec.cluster.leftovers(), 'processes of the cluster still running after stop()').toEqual([]);
  }, 90_000);

  it('refuses AMQP logins of devices, integration accounts and wrong tokens, counted by code', async () => {
    const { token } = await ec.auth.integrations.add(
      'erp-amqp',
      { subscribe: ['maker/#'], publish: ['maker/#'] },
      'test',
    );
    const port = ec.cluster.nodes[0]!.amqpPort;
    const login = (username: string, password: string) =>
      amqpConnect({ protocol: 'amqp', hostname: '127.0.0.1', port, username, password });
    const before = (code: string) => ec.auth.counters.get(`auth.refused.${code}`);
    const notWorker = before('AMQP_NOT_WORKER');
    const badCredentials = before('BAD_CREDENTIALS');
    await expect(login('fw-1', tokens.get('fw-1')!), 'a device over AMQP').rejects.toThrow(/ACCESS_REFUSED|403/);
    await expect(login('erp-amqp', token), 'an integration over AMQP').rejects.toThrow(/ACCESS_REFUSED|403/);
    await expect(login('service', 'not-the-token'), 'a wrong service token').rejects.toThrow(/ACCESS_REFUSED|403/);
    expect(ec.auth.counters.get('auth.refused.AMQP_NOT_WORKER')).toBe(notWorker + 2);
    expect(ec.auth.counters.get('auth.refused.BAD_CREDENTIALS')).toBe(badCredentials + 1);
    expect(
      (await ec.auth.audit.list({ action: 'integration.connect' })).some(
        (e) => e.actor === 'integration:erp-amqp' && e.outcome === 'refused',
      ),
      "the integration's refused AMQP login is audited",
    ).toBe(true);
  });

  it('lets the worker identity use only its queues, bind only to device up-traffic and publish only down-topics', async () => {
    const port = ec.cluster.nodes[1]!.amqpPort;
    const open = () =>
      amqpConnect({
        protocol: 'amqp',
        hostname: '127.0.0.1',
        port,
        username: 'service',
        password: ec.auth.serviceToken,
      });
    /** Runs one AMQP operation on a fresh channel; resolves with the channel's close reason, or 'ok'. */
    const attempt = async (
      model: ChannelModel,
      op: (ch: Awaited<ReturnType<ChannelModel['createConfirmChannel']>>) => Promise<unknown>,
    ) => {
      const ch = await model.createConfirmChannel();
      // The engine's reason (403 ACCESS_REFUSED) comes as the channel's error; a pending confirm only hears 'channel closed'.
      const refused = new Promise<string>((resolve) => ch.on('error', (err: Error) => resolve(err.message)));
      try {
        await op(ch);
        await ch.close();
        return 'ok';
      } catch (err) {
        return Promise.race([
          refused,
          new Promise<string>((resolve) => setTimeout(() => resolve((err as Error).message), 1_000)),
        ]);
      }
    };
    const model = await open();
    model.on('error', () => undefined);
    try {
      const refusedPublish = ec.auth.counters.get('acl.publish.refused');
      const refusedBind = ec.auth.counters.get('acl.subscribe.refused');
      // A queue outside tp.fleet.* is refused; its own is allowed.
      expect(await attempt(model, (ch) => ch.assertQueue('snoop', { durable: false, autoDelete: true }))).toMatch(
        /ACCESS_REFUSED|403/,
      );
      expect(
        await attempt(model, (ch) =>
          ch.assertQueue('tp.fleet.probe', { durable: false, autoDelete: true, exclusive: true }),
        ),
      ).toBe('ok');
      // Binding to the devices' commands (down-traffic) is refused; to their diagnostics it is allowed.
      expect(
        await attempt(model, async (ch) => {
          await ch.assertQueue('tp.fleet.probe2', { durable: false, exclusive: true });
          await ch.bindQueue('tp.fleet.probe2', 'amq.topic', 'tp.v1.d.*.cmd');
        }),
      ).toMatch(/ACCESS_REFUSED|403/);
      expect(
        await attempt(model, async (ch) => {
          await ch.assertQueue('tp.fleet.probe3', { durable: false, exclusive: true });
          await ch.bindQueue('tp.fleet.probe3', 'amq.topic', 'tp.v1.d.*.diag');
        }),
      ).toBe('ok');
      // A forged device report is refused (the channel closes); a receipt is confirmed.
      const forged = diagnostics('fw-1', 0);
      expect(
        await attempt(model, async (ch) => {
          ch.publish('amq.topic', 'tp.v1.d.fw-1.diag', Buffer.from(forged.json));
          await ch.waitForConfirms();
        }),
      ).toMatch(/ACCESS_REFUSED|403/);
      expect(
        await attempt(model, async (ch) => {
          ch.publish('amq.topic', 'tp.v1.d.fw-1.rcpt', Buffer.from(JSON.stringify({ ...header(), ids: [] })));
          await ch.waitForConfirms();
        }),
      ).toBe('ok');
      expect(ec.auth.counters.get('acl.publish.refused')).toBe(refusedPublish + 1);
      expect(ec.auth.counters.get('acl.subscribe.refused')).toBe(refusedBind + 1);
      expect(storedOf([forged.id]).rows, 'the forged report was never stored').toBe(0);
    } finally {
      await model.close().catch(() => undefined);
    }
    // And a device still cannot send itself a receipt over MQTT: its connection is closed.
    const fake = await connect(ec.cluster.nodes[2]!.mqttUrl, {
      clientId: 'fw-4',
      username: 'fw-4',
      password: tokens.get('fw-4')!,
      clean: true,
    });
    const gone = closed(fake);
    fake.publish(deviceTopic('fw-4', 'receipt'), JSON.stringify({ ...header(), ids: [] }), { qos: 1 });
    await gone;
    // That login took over fw-4's session: connect the test's fw-4 again for the next tests.
    const again = await connect(ec.cluster.nodes[2]!.mqttUrl, {
      clientId: 'fw-4',
      username: 'fw-4',
      password: tokens.get('fw-4')!,
      clean: true,
    });
    again.on('message', (_topic, payload) => {
      const r = receiptMessage.safeParse(JSON.parse(payload.toString()));
      if (r.success) for (const mid of r.data.ids) receipted.get('fw-4')!.add(mid);
    });
    await again.subscribeAsync(deviceTopic('fw-4', 'receipt'), { qos: 0 });
    await devices.get('fw-4')!.endAsync(true);
    devices.set('fw-4', again);
  });

  it('stores every report from devices on three nodes exactly once, and every device gets its receipts', async () => {
    const ids = await publishBatch(50);
    await eventually(() => storedOf(ids).rows === ids.length, `${ids.length} reports stored`, 60_000).catch((err) => {
      throw new Error(`${(err as Error).message}: ${JSON.stringify(storedOf(ids))}`);
    });
    await eventually(() => unreceipted(ids) === 0, 'a receipt for every report', 30_000).catch((err) => {
      throw new Error(`${(err as Error).message}: ${unreceipted(ids)} without one`);
    });
    expect(storedOf(ids)).toEqual({ rows: ids.length, uniq: ids.length });
    await eventually(
      async () => (await ingestQueue(ec, 0)).messages === 0,
      'the ingest queue drained (every message acked)',
      20_000,
    );
  });

  it('acks, counts and quarantines invalid messages with their reason; the device hears the refusal; no worker falls over', async () => {
    const topic = deviceTopic('fw-2', 'diagnostics');
    const rejected = db.prepare('SELECT code FROM rejected_messages WHERE topic = ? ORDER BY id').pluck();
    const before = rejected.all(topic).length;
    const invalid = { ...header(), deviceId: 'fw-2', reason: 'periodic' }; // no mcu, no agent
    const fw2 = await devices.get('fw-2')!;
    await fw2.publishAsync(topic, '{not json', { qos: 1 });
    await fw2.publishAsync(topic, JSON.stringify(invalid), { qos: 1 });
    await eventually(() => rejected.all(topic).length === before + 2, 'two quarantined messages', 30_000);
    // Two workers compete for the queue: the order of the two rows is theirs.
    expect(rejected.all(topic).slice(before).sort()).toEqual(['BAD_JSON', 'SCHEMA_INVALID']);
    await eventually(() => refusedIds.get(invalid.id), 'a receipt refusing the invalid report', 30_000);
    expect(refusedIds.get(invalid.id)).toBe('SCHEMA_INVALID');
    await eventually(
      async () => (await ingestQueue(ec, 0)).messages === 0,
      'the invalid messages acked, not requeued',
      20_000,
    );
    for (const w of workers) expect(w.proc.exitCode, `${w.name} still running`).toBeNull();
  });

  it('loses and duplicates nothing when one worker is killed with kill -9 during ingest; the other takes over', async () => {
    const [a, b] = workers as [CliProcess, CliProcess];
    const sending: string[] = [];
    const publishing = publishBatch(150, sending);
    // Awaited below; this keeps an early failure from leaving it unhandled when afterAll closes the clients.
    publishing.catch(() => undefined);
    // Kill worker A once this batch is being stored, with most of it still to come.
    const total = DEVICES.length * 150;
    let atKill = 0;
    await eventually(() => (atKill = storedOf(sending).rows) >= 60, 'the drill batch being ingested', 60_000);
    a.proc.kill('SIGKILL');
    expect(await a.exited, 'worker A was killed (no exit code)').toBeNull();
    expect(atKill, 'killed during ingest, not after it').toBeLessThan(total);
    const ids = await publishing;
    await eventually(() => storedOf(ids).rows === ids.length, `${ids.length} reports stored by worker B`, 90_000).catch(
      (err) => {
        throw new Error(
          `${(err as Error).message}: ${JSON.stringify(storedOf(ids))}; worker B: ${logOf(b).slice(-2000)}`,
        );
      },
    );
    await eventually(() => unreceipted(ids) === 0, 'a receipt for every report', 30_000).catch((err) => {
      throw new Error(`${(err as Error).message}: ${unreceipted(ids)} without one`);
    });
    expect(storedOf(ids), 'every report exactly once').toEqual({ rows: ids.length, uniq: ids.length });
    await eventually(
      async () => (await ingestQueue(ec, 0)).messages === 0,
      'the ingest queue drained by worker B',
      30_000,
    );
    // Worker B stops cleanly on SIGTERM and logs its counters (A's unacked messages came to it as redeliveries).
    b.proc.kill('SIGTERM');
    expect(await b.exited, 'worker B exit code').toBe(0);
    const stopped = /stopped (\{.*\})/.exec(logOf(b))?.[1];
    expect(stopped, `worker B's counters (log: ${logOf(b).slice(-2000)})`).toBeDefined();
    const counters = JSON.parse(stopped!) as Record<string, number>;
    console.info(`kill -9 at ${atKill}/${total} stored; worker B: ${stopped}`);
    // Everything not yet stored when A died can only have been stored by B.
    expect(counters['ingest.stored'] ?? 0, 'worker B stored the rest of the drill batch').toBeGreaterThanOrEqual(
      total - atKill,
    );
  });

  it('moves to the next node when its node is killed (kill -9), and stores what the devices on the other nodes send', async () => {
    // Worker C uses the second node first; fw-1 (first node) and fw-4 (third node) keep their connections.
    const c = startWorker('worker-c', 1);
    await eventually(() => logOf(c).includes('consuming'), `worker C consuming (log: ${logOf(c)})`, 60_000);
    await ec.cluster.killNode(ec.cluster.nodes[1]!);
    await eventually(
      () => (logOf(c).match(/consuming/g) ?? []).length >= 2,
      `worker C consuming again on another node (log: ${logOf(c).slice(-2000)})`,
      60_000,
    );
    expect(logOf(c)).toMatch(/engine connection lost; reconnecting to the next node/);
    expect(logOf(c)).toMatch(new RegExp(`consuming \\{"node":"127\\.0\\.0\\.1:${ec.cluster.nodes[2]!.amqpPort}"`));
    const ids = await publishBatch(40, [], ['fw-1', 'fw-4']);
    await eventually(() => storedOf(ids).rows === ids.length, `${ids.length} reports stored by worker C`, 60_000);
    await eventually(() => unreceipted(ids) === 0, 'a receipt for every report', 30_000);
    expect(storedOf(ids)).toEqual({ rows: ids.length, uniq: ids.length });
  });
});
