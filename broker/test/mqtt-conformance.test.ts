import { generate } from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopic } from '@touchpoint/protocol';
import { RawMqtt, rawPublish, rawSubscription } from './raw-mqtt.js';
import { diagnostics, startTestBroker, type TestBroker } from './helpers.js';

// Issue 13, "MQTT 3.1.1 conformance": each check against a real broker with a raw-socket client.
let tb: TestBroker;
let token = '';
const open: RawMqtt[] = [];

beforeAll(async () => {
  tb = await startTestBroker();
  token = (await tb.broker.fleet.provisionDevice('cm-c', 'coffee-machine')).token;
});
afterEach(() => {
  for (const c of open.splice(0)) c.end();
});
afterAll(async () => {
  await tb.cleanup();
});

async function raw(): Promise<RawMqtt> {
  const c = await RawMqtt.open(tb.broker.mqttPort);
  open.push(c);
  return c;
}

/** A device session that got CONNACK 0. */
async function device(): Promise<RawMqtt> {
  const c = await raw();
  c.send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId: 'cm-c',
    username: 'cm-c',
    password: Buffer.from(token),
    keepalive: 30,
  });
  expect((await c.packet('connack')).returnCode).toBe(0);
  return c;
}

const topic = (leafBytes: Buffer) => Buffer.concat([Buffer.from('tp/v1/d/cm-c/'), leafBytes]);
const BAD_STRINGS: [string, Buffer][] = [
  ['ill-formed UTF-8 [MQTT-1.5.3-1]', Buffer.from([0xc3, 0x28])],
  ['U+0000 [MQTT-1.5.3-2]', Buffer.from([0x64, 0x00, 0x67])],
  ['an encoded surrogate U+D800 [MQTT-1.5.3-1]', Buffer.from([0xed, 0xa0, 0x80])],
];

describe('MQTT 3.1.1: strings in PUBLISH and SUBSCRIBE', () => {
  it.each(BAD_STRINGS)('closes the connection on a PUBLISH topic with %s, and stores nothing', async (_name, bad) => {
    const c = await device();
    const before = tb.broker.fleet.db.prepare('SELECT COUNT(*) FROM rejected_messages').pluck().get() as number;
    c.send(rawPublish(topic(bad), Buffer.from(JSON.stringify(diagnostics('cm-c'))), 1, 7));
    await c.closedByServer();
    expect(c.packets.some((p) => p.cmd === 'puback')).toBe(false);
    expect(tb.broker.fleet.db.prepare('SELECT COUNT(*) FROM rejected_messages').pluck().get()).toBe(before);
  });

  it.each(BAD_STRINGS)('closes the connection on a SUBSCRIBE or UNSUBSCRIBE filter with %s', async (_name, bad) => {
    for (const kind of ['subscribe', 'unsubscribe'] as const) {
      const c = await device();
      c.send(rawSubscription(kind, [topic(bad)], 3));
      await c.closedByServer(`the server to close after a ${kind} with a bad filter`);
      expect(c.packets.some((p) => p.cmd === 'suback' || p.cmd === 'unsuback')).toBe(false);
    }
  });

  it('still accepts a well-formed multi-byte topic (it is refused by the ACL, not the parser)', async () => {
    const c = await device();
    c.send(rawSubscription('subscribe', [Buffer.from('tp/v1/d/cm-c/ü€😀')], 4));
    const suback = await c.packet('suback');
    expect(suback.granted).toEqual([128]);
    expect(c.closed).toBe(false);
  });
});

describe('MQTT 3.1.1: packet identifiers [MQTT-2.3.1-1]', () => {
  it('closes the connection on a QoS 1 PUBLISH with packet identifier 0, without acknowledging or storing it', async () => {
    const c = await device();
    const msg = diagnostics('cm-c');
    c.send(rawPublish(Buffer.from(deviceTopic('cm-c', 'diagnostics')), Buffer.from(JSON.stringify(msg)), 1, 0));
    await c.closedByServer();
    expect(c.packets.some((p) => p.cmd === 'puback')).toBe(false);
    expect(tb.broker.fleet.db.prepare('SELECT COUNT(*) FROM diagnostics WHERE msg_id = ?').pluck().get(msg.id)).toBe(0);
  });

  it('closes the connection on SUBSCRIBE and UNSUBSCRIBE with packet identifier 0', async () => {
    for (const kind of ['subscribe', 'unsubscribe'] as const) {
      const c = await device();
      c.send(rawSubscription(kind, [Buffer.from(deviceTopic('cm-c', 'command'))], 0));
      await c.closedByServer(`the server to close after a ${kind} with packet id 0`);
    }
  });

  it('acknowledges the same PUBLISH with a non-zero identifier', async () => {
    const c = await device();
    c.send(
      rawPublish(
        Buffer.from(deviceTopic('cm-c', 'diagnostics')),
        Buffer.from(JSON.stringify(diagnostics('cm-c'))),
        1,
        9,
      ),
    );
    expect((await c.packet('puback')).messageId).toBe(9);
  });
});

describe('MQTT 3.1.1: CONNECT', () => {
  it('accepts keep alive 0 ("no keep alive") with CONNACK 0; only codes 0-5 are ever sent [MQTT-3.2.2-4]', async () => {
    const c = await raw();
    c.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId: 'cm-c',
      username: 'cm-c',
      password: Buffer.from(token),
      keepalive: 0,
    });
    expect((await c.packet('connack')).returnCode).toBe(0);
  });

  it.each([0, 60])(
    'answers protocol level 5 with CONNACK 1 and closes, with keep alive %i [MQTT-3.1.2-2]',
    async (keepalive) => {
      const c = await raw();
      c.send({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 5,
        clean: true,
        clientId: 'cm-c',
        username: 'cm-c',
        password: Buffer.from(token),
        keepalive,
      });
      expect((await c.packet('connack')).returnCode).toBe(1);
      await c.closedByServer();
    },
  );

  it('refuses an empty client id with clean session 0 with code 2 [MQTT-3.1.3-8]', async () => {
    const c = await raw();
    // The encoder refuses this packet, so clear the clean-session flag by hand (fixed header 2, "MQTT" 6, level 1).
    const bytes = generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId: '',
      username: 'cm-c',
      password: Buffer.from(token),
      keepalive: 30,
    });
    bytes[9] = bytes[9]! & ~0x02;
    c.send(bytes);
    expect((await c.packet('connack')).returnCode).toBe(2);
    await c.closedByServer();
    expect(tb.broker.counters.get('auth.refused.CLIENT_ID_EMPTY')).toBeGreaterThanOrEqual(1);
  });

  it('refuses an empty client id with clean session 1 for a device, whose client id must be its device id [MQTT-3.1.3-9]', async () => {
    const c = await raw();
    c.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId: '',
      username: 'cm-c',
      password: Buffer.from(token),
      keepalive: 30,
    });
    expect((await c.packet('connack')).returnCode).toBe(2);
  });
});
