import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopic, header } from '@touchpoint/protocol';
import { rabbitmqInstalled } from '../helpers/rabbitmq-cluster.js';
import { eventually } from '../helpers/virtual-device.js';
import { closed, connect, connectRefused, startEngineCluster, type EngineCluster } from './harness.js';

// Issue 15, "Devices authenticate through the engine's auth hook": a real three-node RabbitMQ cluster,
// its MQTT plugin asking `touchpoint engine-auth` (the embedded broker's identity and ACL code) over
// rabbitmq_auth_backend_http, and real MQTT.js clients on every node.
// Real parts, not skipped: without rabbitmq-server these tests fail and say how to install it (.ci/run does).
const installed = rabbitmqInstalled();

const BAD_USERNAME_OR_PASSWORD = 4;

let ec: EngineCluster;
const tokens = new Map<string, string>();
const clients: MqttClient[] = [];
const track = (c: MqttClient) => (clients.push(c), c);
const node = (i: number) => ec.cluster.nodes[i]!.mqttUrl;
const device = async (id: string, nodeIndex: number) =>
  track(await connect(node(nodeIndex), { clientId: id, username: id, password: tokens.get(id)!, clean: true }));
const service = async (clientId: string, nodeIndex: number) =>
  track(await connect(node(nodeIndex), { clientId, username: 'service', password: ec.auth.serviceToken, clean: true }));
const diag = (deviceId: string, n: number) =>
  JSON.stringify({ ...header(), deviceId, reason: 'periodic', mcu: { sensors: { n }, errors: [] } });

describe('cluster mode: devices authenticate through engine-auth on a three-node RabbitMQ', () => {
  beforeAll(async () => {
    if (!installed)
      throw new Error('rabbitmq-server is not installed: apt-get install rabbitmq-server (.ci/run installs it)');
    ec = await startEngineCluster();
    console.info(`three-node RabbitMQ cluster started in ${ec.cluster.startMs} ms`);
    for (const [id, model] of [
      ['cm-1', 'coffee-machine'],
      ['cm-2', 'coffee-machine'],
    ] as const)
      tokens.set(id, (await ec.auth.devices.provision(id, model, [])).token);
    // Three Erlang VMs booting beside the rest of `npm test` on two cores: longer than the project's hook timeout.
  }, 180_000);
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  });
  afterAll(async () => {
    if (!ec) return;
    await ec.stop();
    expect(ec.cluster.leftovers(), 'processes of the cluster still running after stop()').toEqual([]);
  }, 60_000);

  it('lets a device in with its token on every node, and routes its own diagnostics across nodes', async () => {
    // The fleet's service account listens on node 3.
    const fleet = await service('svc-ingest', 2);
    await fleet.subscribeAsync('tp/v1/d/+/diag', { qos: 1 });
    const received: string[] = [];
    fleet.on('message', (topic, payload) => received.push(`${topic} ${JSON.parse(payload.toString()).mcu.sensors.n}`));
    for (const i of [0, 1, 2]) {
      const cm = await device('cm-1', i);
      await cm.publishAsync(deviceTopic('cm-1', 'diagnostics'), diag('cm-1', i), { qos: 1 });
      await cm.endAsync();
    }
    const expected = [0, 1, 2].map((i) => `${deviceTopic('cm-1', 'diagnostics')} ${i}`);
    await eventually(() => expected.every((e) => received.includes(e)), 'diagnostics from every node at the fleet');
    expect(ec.auth.counters.get('engine.topic.allow')).toBeGreaterThan(0);
  });

  it("closes a device's connection when it publishes on another device's topic; nothing is routed, the refusal is counted", async () => {
    const fleet = await service('svc-watch', 1);
    await fleet.subscribeAsync('tp/v1/d/cm-2/#', { qos: 1 });
    const forged: string[] = [];
    fleet.on('message', (topic) => forged.push(topic));
    const refusedBefore = ec.auth.counters.get('acl.publish.refused');
    const cm = await device('cm-1', 0);
    const gone = closed(cm);
    cm.publish(deviceTopic('cm-2', 'diagnostics'), diag('cm-2', 99), { qos: 1 });
    await gone;
    expect(ec.auth.counters.get('acl.publish.refused')).toBe(refusedBefore + 1);
    // A message published after the refusal, by cm-2 itself, arrives; the forged one never did.
    const cm2 = await device('cm-2', 2);
    await cm2.publishAsync(deviceTopic('cm-2', 'diagnostics'), diag('cm-2', 1), { qos: 1 });
    await eventually(() => forged.length > 0, "cm-2's own diagnostics at the fleet");
    expect(forged).toEqual([deviceTopic('cm-2', 'diagnostics')]);
  });

  it("refuses a device's subscription to another device's commands (the engine closes the connection)", async () => {
    const refusedBefore = ec.auth.counters.get('acl.subscribe.refused');
    const cm = await device('cm-1', 1);
    const gone = closed(cm);
    cm.subscribe(deviceTopic('cm-2', 'command'), { qos: 1 });
    await gone;
    expect(ec.auth.counters.get('acl.subscribe.refused')).toBe(refusedBefore + 1);
  });

  it('refuses a wrong token and a client id that is not the device id, counted by code', async () => {
    const badBefore = ec.auth.counters.get('auth.refused.BAD_CREDENTIALS');
    const mismatchBefore = ec.auth.counters.get('auth.refused.CLIENT_ID_MISMATCH');
    expect(await connectRefused(node(0), { clientId: 'cm-1', username: 'cm-1', password: tokens.get('cm-2')! })).toBe(
      BAD_USERNAME_OR_PASSWORD,
    );
    // RabbitMQ answers every refused login with code 4; the reason is in engine-auth's counters and log.
    expect(await connectRefused(node(1), { clientId: 'cm-2', username: 'cm-1', password: tokens.get('cm-1')! })).toBe(
      BAD_USERNAME_OR_PASSWORD,
    );
    expect(ec.auth.counters.get('auth.refused.BAD_CREDENTIALS')).toBe(badBefore + 1);
    expect(ec.auth.counters.get('auth.refused.CLIENT_ID_MISMATCH')).toBe(mismatchBefore + 1);
  });

  it('gives an integration account exactly its allow-list, audited', async () => {
    const { token } = await ec.auth.integrations.add(
      'erp',
      { subscribe: [deviceTopic('cm-1', 'diagnostics'), 'maker/#'], publish: ['maker/#'] },
      'test',
    );
    expect(await connectRefused(node(0), { clientId: 'other-1', username: 'erp', password: token })).toBe(
      BAD_USERNAME_OR_PASSWORD,
    );
    const erp = track(await connect(node(0), { clientId: 'erp-1', username: 'erp', password: token, clean: true }));
    const granted = await erp.subscribeAsync([deviceTopic('cm-1', 'diagnostics'), 'maker/#'], { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1, 1]);
    const received: string[] = [];
    erp.on('message', (topic) => received.push(topic));
    // A device on another node reports; the account's own namespace works both ways.
    const cm = await device('cm-1', 2);
    await cm.publishAsync(deviceTopic('cm-1', 'diagnostics'), diag('cm-1', 7), { qos: 1 });
    await erp.publishAsync('maker/erp/sync', '{}', { qos: 1 });
    await eventually(
      () => received.includes(deviceTopic('cm-1', 'diagnostics')) && received.includes('maker/erp/sync'),
      "cm-1's diagnostics and the account's own message at the account",
    );
    // Outside the list: another device's diagnostics; the engine closes the connection, engine-auth audits it.
    const gone = closed(erp);
    erp.subscribe(deviceTopic('cm-2', 'diagnostics'), { qos: 1 });
    await gone;
    const audit = ec.auth.audit;
    expect(
      (await audit.list({ action: 'integration.subscribe' }))
        .filter((e) => e.outcome === 'refused')
        .map((e) => e.target),
    ).toEqual([deviceTopic('cm-2', 'diagnostics')]);
    expect(
      (await audit.list({ action: 'integration.connect' }))
        .filter((e) => e.actor === 'integration:erp')
        .map((e) => `${e.outcome} ${e.target}`)
        .sort(),
    ).toEqual(['ok erp-1', 'refused other-1']);
    // And never the device tree for writing: a forged command closes the connection.
    const erp2 = track(await connect(node(1), { clientId: 'erp-2', username: 'erp', password: token, clean: true }));
    const gone2 = closed(erp2);
    erp2.publish(deviceTopic('cm-1', 'command'), '{}', { qos: 1 });
    await gone2;
    expect((await audit.list({ action: 'integration.publish' })).map((e) => e.target)).toEqual([
      deviceTopic('cm-1', 'command'),
    ]);
  });

  it("answers a reconnect storm from the engine's cache: the second round of logins asks engine-auth nothing", async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `storm-${i}`);
    for (const id of ids) tokens.set(id, (await ec.auth.devices.provision(id, 'coffee-machine', [])).token);
    const round = async () => {
      const connected = await Promise.all(ids.map((id) => device(id, 1)));
      await Promise.all(connected.map((c) => c.endAsync()));
    };
    const asked = () => ec.auth.counters.get('engine.user.allow');
    const before = asked();
    await round();
    const first = asked() - before;
    expect(first).toBeGreaterThanOrEqual(ids.length);
    await round();
    expect(asked() - before).toBe(first);
  });

  it('delivers a command published on node 2 to the device subscribed on node 1', async () => {
    const cm = await device('cm-1', 0);
    await cm.subscribeAsync(deviceTopic('cm-1', 'command'), { qos: 1 });
    const got = new Promise<string>((resolve) => cm.once('message', (_topic, payload) => resolve(payload.toString())));
    const fleet = await service('svc-commands', 1);
    const command = JSON.stringify({ ...header(), deviceId: 'cm-1', action: 'descale' });
    await fleet.publishAsync(deviceTopic('cm-1', 'command'), command, { qos: 1 });
    expect(await got).toBe(command);
  });

  // Last: it leaves the cluster with two nodes.
  it('a device whose node is killed (kill -9) logs in again on another node and gets a command published on the third', async () => {
    const cm = await device('cm-2', 0);
    const lost = closed(cm);
    await ec.cluster.killNode(ec.cluster.nodes[0]!);
    await lost;
    // What the agent does on a lost connection: the next engine address, the same id and token.
    const again = await device('cm-2', 1);
    await again.subscribeAsync(deviceTopic('cm-2', 'command'), { qos: 1 });
    const got = new Promise<string>((resolve) =>
      again.once('message', (_topic, payload) => resolve(payload.toString())),
    );
    const fleet = await service('svc-after-kill', 2);
    const command = JSON.stringify({ ...header(), deviceId: 'cm-2', action: 'descale' });
    await fleet.publishAsync(deviceTopic('cm-2', 'command'), command, { qos: 1 });
    expect(await got).toBe(command);
  });
});
