import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'mqtt-packet';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopic, header, type PresenceMessage } from '@touchpoint/protocol';
import { connect, connectRefused, diagnostics, eventually, startTestBroker, type TestBroker } from './helpers.js';

let tb: TestBroker;
const tokens = new Map<string, string>();
const clients: mqtt.MqttClient[] = [];

function device(id: string, opts: mqtt.IClientOptions = {}) {
  return connect(tb.url, { clientId: id, username: id, password: tokens.get(id)!, ...opts }).then(
    (c) => (clients.push(c), c),
  );
}
const count = (table: string, where = '1=1', ...args: unknown[]) =>
  tb.broker.fleet.db
    .prepare(`SELECT COUNT(*) FROM ${table} WHERE ${where}`)
    .pluck()
    .get(...args) as number;

beforeAll(async () => {
  tb = await startTestBroker();
  for (const id of ['cm-a', 'cm-b', 'cm-c', 'cm-d', 'cm-e'])
    tokens.set(id, (await tb.broker.fleet.provisionDevice(id, 'coffee-machine')).token);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
});
afterAll(async () => {
  await tb.cleanup();
});

describe('broker: ingest', () => {
  it('stores a device diagnostics snapshot in SQLite', async () => {
    const c = await device('cm-a');
    const msg = diagnostics('cm-a');
    await c.publishAsync(deviceTopic('cm-a', 'diagnostics'), JSON.stringify(msg), { qos: 1 });
    const row = tb.broker.fleet.db.prepare('SELECT device_id, body FROM diagnostics WHERE msg_id = ?').get(msg.id) as {
      device_id: string;
      body: string;
    };
    expect(row.device_id).toBe('cm-a');
    expect(JSON.parse(row.body)).toEqual(msg);
    expect((await tb.broker.fleet.devices.get('cm-a'))?.errors).toEqual(['E05']);
  });

  it('stores the same message delivered twice only once', async () => {
    const c = await device('cm-a');
    const msg = diagnostics('cm-a');
    await c.publishAsync(deviceTopic('cm-a', 'diagnostics'), JSON.stringify(msg), { qos: 1 });
    await c.publishAsync(deviceTopic('cm-a', 'diagnostics'), JSON.stringify(msg), { qos: 1, dup: true });
    expect(count('diagnostics', 'msg_id = ?', msg.id)).toBe(1);
    expect(tb.broker.counters.get('ingest.duplicate')).toBeGreaterThanOrEqual(1);
  });

  it('stores a burst of snapshots in group commits, each before its PUBACK, duplicates once', async () => {
    const c = await device('cm-a');
    const burst = Array.from({ length: 50 }, () => diagnostics('cm-a'));
    const twice = burst[7]!;
    const duplicatesBefore = tb.broker.counters.get('ingest.duplicate');
    // Published without waiting, so many arrive in one event-loop turn and share a transaction.
    await Promise.all(
      [...burst, twice].map((m) => c.publishAsync(deviceTopic('cm-a', 'diagnostics'), JSON.stringify(m), { qos: 1 })),
    );
    const ids = burst.map((m) => m.id);
    const stored = tb.broker.fleet.db
      .prepare(`SELECT COUNT(*) FROM diagnostics WHERE msg_id IN (${ids.map(() => '?').join(',')})`)
      .pluck()
      .get(...ids);
    expect(stored).toBe(50);
    expect(tb.broker.counters.get('ingest.duplicate')).toBe(duplicatesBefore + 1);
  });

  it('rejects and counts a malformed payload, and keeps serving healthy clients', async () => {
    const bad = await device('cm-c');
    const good = await device('cm-d');
    const before = tb.broker.counters.get('rejected.BAD_JSON');
    await bad.publishAsync(deviceTopic('cm-c', 'diagnostics'), '{"v":1,', { qos: 1 });
    await bad.publishAsync(
      deviceTopic('cm-c', 'diagnostics'),
      JSON.stringify({ ...diagnostics('cm-c'), agent: { outboxDepth: -1 } }),
      { qos: 1 },
    );
    expect(tb.broker.counters.get('rejected.BAD_JSON')).toBe(before + 1);
    expect(tb.broker.counters.get('rejected.SCHEMA_INVALID')).toBeGreaterThanOrEqual(1);
    expect((await tb.broker.fleet.quarantine.list(5)).map((r) => r.code)).toEqual(
      expect.arrayContaining(['BAD_JSON', 'SCHEMA_INVALID']),
    );
    expect(count('diagnostics', 'device_id = ?', 'cm-c')).toBe(0);
    const msg = diagnostics('cm-d');
    await good.publishAsync(deviceTopic('cm-d', 'diagnostics'), JSON.stringify(msg), { qos: 1 });
    expect(count('diagnostics', 'msg_id = ?', msg.id)).toBe(1);
  });

  it('refuses a payload whose device id differs from the topic', async () => {
    const c = await device('cm-a');
    await c.publishAsync(deviceTopic('cm-a', 'diagnostics'), JSON.stringify(diagnostics('cm-b')), { qos: 1 });
    expect(tb.broker.counters.get('rejected.WRONG_DEVICE')).toBeGreaterThanOrEqual(1);
    expect(count('diagnostics', 'device_id = ?', 'cm-b')).toBe(0);
  });

  it('closes a connection that sends an oversize packet before buffering it, and keeps serving others', async () => {
    const small = await startTestBroker({ limits: { maxPacketBytes: 4096 } });
    try {
      const token = (await small.broker.fleet.provisionDevice('big-1', 'coffee-machine')).token;
      const tokenOk = (await small.broker.fleet.provisionDevice('ok-1', 'coffee-machine')).token;
      const big = await connect(small.url, { clientId: 'big-1', username: 'big-1', password: token });
      const ok = await connect(small.url, { clientId: 'ok-1', username: 'ok-1', password: tokenOk });
      const closed = new Promise<void>((resolve) => big.once('close', () => resolve()));
      big.publish(deviceTopic('big-1', 'diagnostics'), 'x'.repeat(10_000), { qos: 0 });
      await closed;
      expect(small.broker.counters.get('rejected.PACKET_TOO_LARGE')).toBe(1);
      const msg = diagnostics('ok-1');
      await ok.publishAsync(deviceTopic('ok-1', 'diagnostics'), JSON.stringify(msg), { qos: 1 });
      expect(
        small.broker.fleet.db.prepare('SELECT COUNT(*) FROM diagnostics WHERE msg_id = ?').pluck().get(msg.id),
      ).toBe(1);
      await Promise.all([big.endAsync(true), ok.endAsync(true)]);
    } finally {
      await small.cleanup();
    }
  });

  it('closes a socket that never sends CONNECT', async () => {
    const quick = await startTestBroker({ limits: { connectTimeoutMs: 300 } });
    try {
      const socket = netConnect(quick.broker.mqttPort, '127.0.0.1');
      const closedAt = await new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
      expect(closedAt).toBeGreaterThan(0);
      expect(socket.destroyed).toBe(true);
    } finally {
      await quick.cleanup();
    }
  });
});

describe('broker: authentication', () => {
  it('refuses a wrong credential with CONNACK 4', async () => {
    expect(await connectRefused(tb.url, { clientId: 'cm-a', username: 'cm-a', password: 'not-the-token' })).toBe(4);
    expect(await connectRefused(tb.url, { clientId: 'ghost', username: 'ghost', password: 'x' })).toBe(4);
  });

  it('refuses a client id that does not match the device with CONNACK 2', async () => {
    expect(await connectRefused(tb.url, { clientId: 'cm-b', username: 'cm-a', password: tokens.get('cm-a')! })).toBe(2);
    expect(tb.broker.counters.get('auth.refused.CLIENT_ID_MISMATCH')).toBeGreaterThanOrEqual(1);
  });
});

describe('broker: authorization', () => {
  it("stops device A from publishing on device B's topics", async () => {
    const a = await device('cm-a');
    const closed = new Promise<void>((resolve) => a.once('close', () => resolve()));
    a.publish(deviceTopic('cm-b', 'diagnostics'), JSON.stringify(diagnostics('cm-b')), { qos: 1 });
    await closed;
    expect(count('diagnostics', 'device_id = ?', 'cm-b')).toBe(0);
    expect(tb.broker.counters.get('acl.publish.refused')).toBeGreaterThanOrEqual(1);
  });

  it('stops a device from publishing on its own down topics', async () => {
    const a = await device('cm-a');
    const closed = new Promise<void>((resolve) => a.once('close', () => resolve()));
    a.publish(deviceTopic('cm-a', 'command'), '{}', { qos: 1 });
    await closed;
  });

  it("refuses subscriptions to B's topics and to #, and never delivers B's retained messages to A", async () => {
    const b = await device('cm-b');
    const presence: PresenceMessage = { ...header(), deviceId: 'cm-b', state: 'online', connectionId: 'b1' };
    await b.publishAsync(deviceTopic('cm-b', 'presence'), JSON.stringify(presence), { qos: 1, retain: true });
    const a = await device('cm-a');
    const received: string[] = [];
    a.on('message', (topic) => received.push(topic));
    // MQTT.js rejects when any filter is refused; the SUBACK with each grant rides on the error.
    const suback = await a
      .subscribeAsync(
        [
          deviceTopic('cm-b', 'presence'),
          '#',
          'tp/v1/d/+/presence',
          deviceTopic('cm-b', 'command'),
          deviceTopic('cm-a', 'command'),
        ],
        { qos: 1 },
      )
      .then(
        () => undefined,
        (err: { packet?: { granted: number[] } }) => err.packet,
      );
    expect(suback?.granted).toEqual([128, 128, 128, 128, 1]);
    // A round trip through the broker proves nothing retained is still on its way.
    await a.publishAsync(deviceTopic('cm-a', 'diagnostics'), JSON.stringify(diagnostics('cm-a')), { qos: 1 });
    expect(received).toEqual([]);
  });

  it('has no staff identity on MQTT: a staff password login is refused (issue 12 #2)', async () => {
    const { password } = await tb.broker.fleet.staff.add('reader', 'viewer');
    // Before: `staff:<name>` + password got a read-only session whose `+` filters reached call signalling.
    expect(await connectRefused(tb.url, { clientId: 'staff-reader-1', username: 'staff:reader', password })).toBe(4);
    expect(tb.broker.counters.get('auth.refused.BAD_CREDENTIALS')).toBeGreaterThanOrEqual(1);
  });
});

describe('broker: presence', () => {
  function rawConnect(port: number, id: string, token: string, keepalive: number, connectionId: string) {
    const socket = netConnect(port, '127.0.0.1');
    const will: PresenceMessage = { ...header(), deviceId: id, state: 'offline', connectionId };
    socket.write(
      generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        clientId: id,
        username: id,
        password: Buffer.from(token),
        keepalive,
        will: { topic: deviceTopic(id, 'presence'), payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: true },
      }),
    );
    const online: PresenceMessage = { ...header(), deviceId: id, state: 'online', connectionId };
    socket.write(
      generate({
        cmd: 'publish',
        topic: deviceTopic(id, 'presence'),
        payload: Buffer.from(JSON.stringify(online)),
        qos: 0,
        retain: true,
        dup: false,
      }),
    );
    return socket;
  }

  it('marks a device offline when its connection goes silent past the keepalive', async () => {
    const socket = rawConnect(tb.broker.mqttPort, 'cm-e', tokens.get('cm-e')!, 1, 'silent-1');
    await eventually(async () => (await tb.broker.fleet.devices.get('cm-e'))?.online, 3_000, 'online');
    // The raw client never sends PINGREQ: the broker must drop it after 1.5 x keepalive [MQTT-3.1.2-24].
    await eventually(async () => (await tb.broker.fleet.devices.get('cm-e'))?.online === false, 4_000, 'offline');
    socket.destroy();
  });

  it('keeps a device online when an old connection disconnects late', async () => {
    const old = rawConnect(tb.broker.mqttPort, 'cm-e', tokens.get('cm-e')!, 30, 'gen-1');
    await eventually(
      async () => (await tb.broker.fleet.devices.get('cm-e'))?.connectionId === 'gen-1',
      3_000,
      'first connection',
    );
    const will: PresenceMessage = { ...header(), deviceId: 'cm-e', state: 'offline', connectionId: 'gen-2' };
    const fresh = await device('cm-e', {
      will: {
        topic: deviceTopic('cm-e', 'presence'),
        payload: Buffer.from(JSON.stringify(will)),
        qos: 1,
        retain: true,
      },
      clean: true,
    });
    const online: PresenceMessage = { ...header(), deviceId: 'cm-e', state: 'online', connectionId: 'gen-2' };
    await fresh.publishAsync(deviceTopic('cm-e', 'presence'), JSON.stringify(online), { qos: 1, retain: true });
    old.destroy();
    // The old connection's will, arriving after the new connection's birth, is stale.
    const lateWill: PresenceMessage = { ...header(), deviceId: 'cm-e', state: 'offline', connectionId: 'gen-1' };
    await fresh.publishAsync(deviceTopic('cm-e', 'presence'), JSON.stringify(lateWill), { qos: 1, retain: true });
    await new Promise((r) => setTimeout(r, 200));
    expect(await tb.broker.fleet.devices.get('cm-e')).toMatchObject({ online: true, connectionId: 'gen-2' });
    expect(tb.broker.counters.get('presence.stale_will')).toBeGreaterThanOrEqual(1);
    // The retained presence is still the live connection's birth message.
    const service = await connect(tb.url, {
      clientId: 'svc-presence',
      username: 'service',
      password: tb.broker.serviceToken,
    });
    clients.push(service);
    const retained = new Promise<PresenceMessage>((resolve) =>
      service.once('message', (_t, payload) => resolve(JSON.parse(payload.toString()) as PresenceMessage)),
    );
    await service.subscribeAsync(deviceTopic('cm-e', 'presence'), { qos: 1 });
    expect(await retained).toMatchObject({ state: 'online', connectionId: 'gen-2' });
  });
});

describe('broker: persistence', () => {
  it('delivers a QoS 1 command queued for an offline device after a broker restart', async () => {
    const own = await startTestBroker();
    try {
      const { token } = await own.broker.fleet.provisionDevice('wb-1', 'wallbox');
      const opts = { clientId: 'wb-1', username: 'wb-1', password: token, clean: false };
      const first = await connect(own.url, opts);
      await first.subscribeAsync(deviceTopic('wb-1', 'command'), { qos: 1 });
      await first.endAsync();
      const { staff } = await own.broker.fleet.staff.add('agent-1', 'agent');
      const sent = await own.broker.fleet.commands.send({
        deviceId: 'wb-1',
        action: 'set_max_current',
        params: { amps: 16 },
        staff,
      });
      await own.restart();
      const second = await mqtt.connectAsync(own.url, { ...opts, reconnectPeriod: 0 });
      const message = await new Promise<{ id: string; action: string }>((resolve) =>
        second.once('message', (_t, p) => resolve(JSON.parse(p.toString()) as { id: string; action: string })),
      );
      expect(message).toMatchObject({ id: sent.id, action: 'set_max_current' });
      await eventually(() => own.broker.fleet.commands.get(sent.id)?.status === 'delivered', 3_000, 'delivered status');
      await second.endAsync();
    } finally {
      await own.cleanup();
    }
  });
});

describe('broker: TLS', () => {
  it('serves MQTTS with a certificate generated in the test', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const secure = await startTestBroker({ tls: { certPath: cert, keyPath: key }, mqttsPort: 0 });
    try {
      const { token } = await secure.broker.fleet.provisionDevice('tls-1', 'wallbox');
      const ca = (await import('node:fs')).readFileSync(cert);
      const c = await mqtt.connectAsync(`mqtts://127.0.0.1:${secure.broker.mqttsPort}`, {
        clientId: 'tls-1',
        username: 'tls-1',
        password: token,
        ca,
        reconnectPeriod: 0,
      });
      // Wallbox sensors: ingest refuses sensor keys that are not in the device's profile.
      const msg = diagnostics('tls-1', { mcu: { sensors: { temperature: 31, charger_state: 'idle' }, errors: [] } });
      await c.publishAsync(deviceTopic('tls-1', 'diagnostics'), JSON.stringify(msg), { qos: 1 });
      expect(
        secure.broker.fleet.db.prepare('SELECT COUNT(*) FROM diagnostics WHERE msg_id = ?').pluck().get(msg.id),
      ).toBe(1);
      await c.endAsync();
      await expect(
        mqtt.connectAsync(`mqtts://127.0.0.1:${secure.broker.mqttsPort}`, {
          clientId: 'tls-1',
          username: 'tls-1',
          password: token,
          reconnectPeriod: 0,
          rejectUnauthorized: true,
        }),
      ).rejects.toThrow();
    } finally {
      await secure.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
