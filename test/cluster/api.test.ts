import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandEnvelope, deviceTopic, header, type CommandEnvelope } from '@touchpoint/protocol';
import { StaffApi } from '../console/helpers.js';
import { rabbitmqInstalled } from '../helpers/rabbitmq-cluster.js';
import { openLiveStream, type LiveStream } from '../helpers/sse.js';
import { eventually } from '../helpers/virtual-device.js';
import {
  spawnFleetWorker,
  startApiProcess,
  startEngineCluster,
  stopAll,
  type ApiProcess,
  type CliProcess,
  type EngineCluster,
} from './harness.js';

// Issue 15, "the HTTP API and console as N processes behind any HTTP load balancer; the live channel reaches
// every API process": two `touchpoint api` and two `touchpoint fleet-worker` processes (the real CLI) on a real
// three-node RabbitMQ cluster, devices on MQTT.js. What a worker stores and what staff do on one API process
// shows on the live streams of both; a device that comes back gets what it missed (OnlineResync in the worker);
// an API process killed with kill -9 leaves the other serving; an API process whose engine node is killed moves
// to another and tells its streams to refetch. Not skipped: without rabbitmq-server it fails.
const installed = rabbitmqInstalled();
const DEVICE = 'api-1';

let ec: EngineCluster;
const processes: CliProcess[] = [];
let apiA: ApiProcess;
let apiB: ApiProcess;
let onA: StaffApi;
let onB: StaffApi;
const streams: LiveStream[] = [];

/** A device on MQTT.js: its last will is its offline presence, and it keeps every command it receives. */
interface Device {
  client: MqttClient;
  commands: CommandEnvelope[];
  connectionId: string;
}
let token: string;
let device: Device;

async function connectDevice(node: number, connectionId: string): Promise<Device> {
  const offline = JSON.stringify({ ...header(), deviceId: DEVICE, state: 'offline', connectionId });
  const client = await mqtt.connectAsync(ec.cluster.nodes[node]!.mqttUrl, {
    clientId: DEVICE,
    username: DEVICE,
    password: token,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    will: { topic: deviceTopic(DEVICE, 'presence'), payload: Buffer.from(offline), qos: 1, retain: true },
  });
  const commands: CommandEnvelope[] = [];
  client.on('message', (topic, payload) => {
    if (topic === deviceTopic(DEVICE, 'command')) commands.push(commandEnvelope.parse(JSON.parse(payload.toString())));
  });
  // As the agent does: subscribe first, then the birth, so nothing sent on the birth can pass the subscription.
  await client.subscribeAsync(deviceTopic(DEVICE, 'command'), { qos: 1 });
  const birth = { ...header(), deviceId: DEVICE, state: 'online', connectionId, model: 'coffee-machine' };
  await client.publishAsync(deviceTopic(DEVICE, 'presence'), JSON.stringify(birth), { qos: 1, retain: true });
  return { client, commands, connectionId };
}

function diagnostics(n: number): { id: string; json: string } {
  const h = header();
  return {
    id: h.id,
    json: JSON.stringify({
      ...h,
      deviceId: DEVICE,
      reason: 'periodic',
      mcu: { sensors: { water_tank_level: n, boiler_temp: 92.5 }, errors: [] },
      agent: { outboxDepth: 0, outboxDropped: 0, reconnects: 0, link: 'up', uptimeS: n },
    }),
  };
}

async function stream(api: ApiProcess, staff: StaffApi, device?: string): Promise<LiveStream> {
  const s = await openLiveStream(`${api.base}/api/live${device ? `?device=${device}` : ''}`, { cookie: staff.cookie });
  streams.push(s);
  expect(s.status, `live stream on ${api.name}`).toBe(200);
  await eventually(() => s.events.some((e) => e.type === 'hello'), `hello on ${api.name}'s stream`);
  return s;
}

const has = (s: LiveStream, match: (e: Record<string, unknown>) => boolean) => s.events.some(match);

/** The live queues of API processes on the engine, from rabbitmqctl on a node. */
async function apiQueues(): Promise<string[]> {
  const out = await ec.cluster.ctl(ec.cluster.nodes[0]!, ['list_queues', '--quiet', '--no-table-headers', 'name']);
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('tp.api.'));
}

async function sendCommand(staff: StaffApi): Promise<string> {
  const sent = await staff.post(`/api/devices/${DEVICE}/commands`, { action: 'descale', params: {} });
  expect(sent.status, JSON.stringify(sent.body)).toBe(201);
  return (sent.body as { id: string }).id;
}

async function answer(d: Device, commandId: string, status: 'accepted' | 'succeeded'): Promise<void> {
  const result = { ...header(), deviceId: DEVICE, commandId, status };
  await d.client.publishAsync(deviceTopic(DEVICE, 'commandResult'), JSON.stringify(result), { qos: 1 });
}

describe('cluster mode: stateless API processes and the live channel on a three-node RabbitMQ', () => {
  beforeAll(async () => {
    if (!installed)
      throw new Error('rabbitmq-server is not installed: apt-get install rabbitmq-server (.ci/run installs it)');
    ec = await startEngineCluster();
    console.info(`three-node RabbitMQ cluster started in ${ec.cluster.startMs} ms`);
    token = (await ec.auth.devices.provision(DEVICE, 'coffee-machine', [])).token;
    for (const [name, first] of [
      ['worker-1', 0],
      ['worker-2', 1],
    ] as const) {
      const w = spawnFleetWorker(ec, name, first);
      processes.push(w);
      await eventually(() => w.log().includes('consuming'), `${name} consuming (log: ${w.log()})`, 60_000);
    }
    // A first: on a fresh data folder it makes the command key and the first admin, which B then finds.
    apiA = await startApiProcess(ec, 'api-a', 1, processes);
    apiB = await startApiProcess(ec, 'api-b', 2, processes);
    const password = /one-time password: (\S+)/.exec(apiA.log())?.[1];
    expect(password, `A prints the first admin's password (log: ${apiA.log()})`).toBeDefined();
    onA = new StaffApi(apiA.base);
    const own = await onA.loginReady('admin', password!);
    onB = new StaffApi(apiB.base);
    await onB.login('admin', own);
  }, 240_000);

  afterAll(async () => {
    for (const s of streams) s.close();
    await device?.client.endAsync(true);
    await stopAll(processes);
    if (!ec) return;
    await ec.stop();
    expect(ec.cluster.leftovers(), 'processes of the cluster still running after stop()').toEqual([]);
  }, 90_000);

  it('shows a device coming online and its report, stored by a fleet worker, on the live streams of both API processes', async () => {
    const fleetA = await stream(apiA, onA);
    const fleetB = await stream(apiB, onB);
    const detailA = await stream(apiA, onA, DEVICE);
    const detailB = await stream(apiB, onB, DEVICE);
    device = await connectDevice(2, 'conn-1');
    const online = (e: Record<string, unknown>) => e.type === 'presence' && e.deviceId === DEVICE && e.online === true;
    await eventually(() => has(fleetA, online) && has(fleetB, online), 'the birth on both fleet streams', 30_000);
    const report = diagnostics(42);
    await device.client.publishAsync(deviceTopic(DEVICE, 'diagnostics'), report.json, { qos: 1 });
    const stored = (e: Record<string, unknown>) =>
      e.type === 'diagnostics' && (e.diagnostics as { id?: string } | undefined)?.id === report.id;
    await eventually(() => has(detailA, stored) && has(detailB, stored), 'the report on both device streams', 30_000);
    // Health is derived on each API process from what the channel brought.
    expect(has(fleetB, (e) => e.type === 'health' && e.deviceId === DEVICE)).toBe(true);
  });

  it("sends a staff member's command through API process A to the device; B shows it queued and its result", async () => {
    const fleetB = await stream(apiB, onB);
    const commandId = await sendCommand(onA);
    await eventually(() => device.commands.some((c) => c.id === commandId), 'the command at the device', 30_000);
    const envelope = device.commands.find((c) => c.id === commandId)!;
    expect(envelope).toMatchObject({ deviceId: DEVICE, action: 'descale' });
    expect(envelope.sig, 'signed by the API process').toMatch(/\S{40,}/);
    const status = (s: string) => (e: Record<string, unknown>) =>
      e.type === 'command' && e.commandId === commandId && e.status === s;
    // Queued on A (a staff action there) reaches B through the live channel.
    await eventually(() => has(fleetB, status('queued')), "A's command on B's stream", 30_000);
    await answer(device, commandId, 'accepted');
    await answer(device, commandId, 'succeeded');
    await eventually(() => has(fleetB, status('succeeded')), 'the result on B', 30_000);
    const onRecord = await onB.get(`/api/commands/${commandId}`);
    expect(onRecord.status).toBe(200);
    expect(onRecord.body).toMatchObject({ id: commandId, status: 'succeeded' });
  });

  it('sends a command created while the device was away when it comes back through another node (the worker resyncs on its birth)', async () => {
    const fleetA = await stream(apiA, onA);
    // Gone without a DISCONNECT: the engine publishes its will (offline presence).
    device.client.stream.destroy();
    await device.client.endAsync(true);
    const offline = (e: Record<string, unknown>) =>
      e.type === 'presence' && e.deviceId === DEVICE && e.online === false;
    await eventually(() => has(fleetA, offline), 'the will on the live stream', 30_000);
    // Sent through B while the device has no session (clean): only the database holds it.
    const commandId = await sendCommand(onB);
    const record = await onB.get(`/api/commands/${commandId}`);
    expect(record.body).toMatchObject({ status: 'queued' });
    device = await connectDevice(0, 'conn-2');
    await eventually(
      () => device.commands.some((c) => c.id === commandId),
      'the pending command sent again on the birth',
      30_000,
    );
    expect(device.commands.filter((c) => c.id === commandId)).toHaveLength(1);
    await answer(device, commandId, 'succeeded');
    await eventually(
      () => has(fleetA, (e) => e.type === 'command' && e.commandId === commandId && e.status === 'succeeded'),
      'the result on A',
      30_000,
    );
  });

  it('keeps serving on B when A is killed with kill -9; A leaves no queue behind on the engine', async () => {
    const detailB = await stream(apiB, onB, DEVICE);
    expect((await apiQueues()).sort()).toEqual([`tp.api.live.${apiA.origin}`, `tp.api.live.${apiB.origin}`].sort());
    apiA.proc.kill('SIGKILL');
    expect(await apiA.exited, 'A was killed (no exit code)').toBeNull();
    // What the load balancer's next request sees: B answers the session A's browser logged in with.
    const sameBrowser = new StaffApi(apiB.base);
    sameBrowser.cookie = onA.cookie;
    const devices = await sameBrowser.get('/api/devices');
    expect(devices.status).toBe(200);
    expect(JSON.stringify(devices.body)).toContain(DEVICE);
    await eventually(
      async () => JSON.stringify(await apiQueues()) === JSON.stringify([`tp.api.live.${apiB.origin}`]),
      "A's exclusive live queue deleted with its connection",
      30_000,
    );
    const report = diagnostics(7);
    await device.client.publishAsync(deviceTopic(DEVICE, 'diagnostics'), report.json, { qos: 1 });
    await eventually(
      () =>
        has(
          detailB,
          (e) => e.type === 'diagnostics' && (e.diagnostics as { id?: string } | undefined)?.id === report.id,
        ),
      "a new report on B's stream",
      30_000,
    );
  });

  it("moves B to another engine node when its node is killed with kill -9: B's streams are told to refetch, and reports reach it again", async () => {
    const fleetB = await stream(apiB, onB);
    const detailB = await stream(apiB, onB, DEVICE);
    // B started on the third node; the device and both workers use the first two.
    await ec.cluster.killNode(ec.cluster.nodes[2]!);
    await eventually(
      () => (apiB.log().match(/live channel ready/g) ?? []).length >= 2,
      `B on the live channel again (log: ${apiB.log().slice(-2000)})`,
      60_000,
    );
    expect(apiB.log()).toMatch(/engine connection lost; reconnecting to the next node/);
    // Whatever was published while B was away never reached it: every stream of B refetches.
    for (const s of [fleetB, detailB])
      await eventually(() => has(s, (e) => e.type === 'resync'), "a resync on B's streams", 10_000);
    const report = diagnostics(8);
    await device.client.publishAsync(deviceTopic(DEVICE, 'diagnostics'), report.json, { qos: 1 });
    await eventually(
      () =>
        has(
          detailB,
          (e) => e.type === 'diagnostics' && (e.diagnostics as { id?: string } | undefined)?.id === report.id,
        ),
      "a report after the node's death on B's stream",
      30_000,
    );
  });
});
