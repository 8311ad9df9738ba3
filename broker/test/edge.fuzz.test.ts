import fc from 'fast-check';
import { connect as netConnect } from 'node:net';
import { generate, type Packet } from 'mqtt-packet';
import type mqtt from 'mqtt';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopic } from '@touchpoint/protocol';
import { connect, diagnostics, startTestBroker, type TestBroker } from './helpers.js';

// Issue 12, "What it must show": random and mutated MQTT packets and WebSocket upgrades against a real
// broker for a bounded number of rounds; the broker never fails and keeps serving a healthy client.
const ROUNDS = 240;
const SEED = Number(process.env.TP_FUZZ_SEED ?? 20261203);

let tb: TestBroker;
let token = '';
let healthy: mqtt.MqttClient;

beforeAll(async () => {
  tb = await startTestBroker({ limits: { connectTimeoutMs: 1_000 } });
  token = (await tb.broker.fleet.provisionDevice('cm-ok', 'coffee-machine')).token;
  await tb.broker.fleet.provisionDevice('cm-fz', 'coffee-machine');
  healthy = await connect(tb.url, { clientId: 'cm-ok', username: 'cm-ok', password: token, keepalive: 60 });
});
afterAll(async () => {
  await healthy?.endAsync(true);
  await tb.cleanup();
});

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '',
    'cm-fz',
    'cm-ok',
    'svc-x',
    'service',
    'tp/v1/d/cm-fz/diag',
    'tp/v1/d/+/cmd',
    '#',
    '$SYS/#',
    '\u0000',
    '\uD800',
  ),
);
const bytes = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b));
const packet: fc.Arbitrary<Packet> = fc.oneof(
  fc.record({
    cmd: fc.constant('connect' as const),
    protocolId: fc.constantFrom('MQTT' as const, 'MQIsdp' as const),
    protocolVersion: fc.constantFrom(3, 4, 5) as fc.Arbitrary<3 | 4 | 5>,
    clean: fc.boolean(),
    clientId: text,
    keepalive: fc.integer({ min: 0, max: 65535 }),
    username: fc.option(text, { nil: undefined }),
    password: fc.option(bytes, { nil: undefined }),
  }),
  fc.record({
    cmd: fc.constant('publish' as const),
    topic: text,
    payload: bytes,
    qos: fc.constantFrom(0, 1, 2) as fc.Arbitrary<0 | 1 | 2>,
    retain: fc.boolean(),
    dup: fc.boolean(),
    messageId: fc.integer({ min: 0, max: 65535 }),
  }),
  fc.record({
    cmd: fc.constant('subscribe' as const),
    messageId: fc.integer({ min: 0, max: 65535 }),
    subscriptions: fc.array(fc.record({ topic: text, qos: fc.constantFrom(0, 1, 2) as fc.Arbitrary<0 | 1 | 2> }), {
      minLength: 1,
      maxLength: 3,
    }),
  }),
  fc.record({
    cmd: fc.constant('unsubscribe' as const),
    messageId: fc.integer({ min: 0, max: 65535 }),
    unsubscriptions: fc.array(text, { minLength: 1, maxLength: 3 }),
  }),
  fc.constantFrom<Packet>({ cmd: 'pingreq' }, { cmd: 'disconnect' }, { cmd: 'puback', messageId: 1 }),
) as fc.Arbitrary<Packet>;

function encode(p: Packet): Buffer {
  try {
    return generate(p);
  } catch {
    return Buffer.from([0x30, 0x00]);
  }
}

/** A byte-level mutation of a valid packet: flip, truncate, repeat, or splice in random bytes. */
const mutated = fc
  .tuple(packet, fc.constantFrom('none', 'flip', 'truncate', 'repeat', 'splice'), fc.nat(), fc.nat(255), bytes)
  .map(([p, how, at, value, extra]) => {
    const b = Buffer.from(encode(p));
    const i = b.length > 0 ? at % b.length : 0;
    switch (how) {
      case 'flip':
        if (b.length > 0) b[i] = value;
        return b;
      case 'truncate':
        return b.subarray(0, i);
      case 'repeat':
        return Buffer.concat([b, b, b]);
      case 'splice':
        return Buffer.concat([b.subarray(0, i), extra, b.subarray(i)]);
      case 'none':
        return b;
    }
  });

/** A session on a raw socket: a (valid or random) CONNECT, then mutated packets; settles when the socket closes or after a bounded time. */
const session = fc.tuple(fc.boolean(), fc.array(mutated, { minLength: 1, maxLength: 6 }));

function runRawSession(port: number, [authenticates, chunks]: [boolean, Buffer[]]): Promise<void> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1');
    const timer = setTimeout(() => socket.destroy(), 300);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('connect', () => {
      if (authenticates)
        socket.write(
          encode({
            cmd: 'connect',
            protocolId: 'MQTT',
            protocolVersion: 4,
            clean: true,
            clientId: 'cm-fz',
            username: 'cm-fz',
            password: Buffer.from('wrong'),
            keepalive: 30,
          }),
        );
      for (const c of chunks) socket.write(c);
      socket.end();
    });
  });
}

const upgradeHeaders = fc.dictionary(
  fc.constantFrom('cookie', 'origin', 'host', 'sec-websocket-protocol', 'x-forwarded-for'),
  fc.oneof(text, fc.constantFrom('tp_session=%E0%A4%A', 'tp_session=%', `127.0.0.1`, 'http://evil.example', 'mqtt')),
  { maxKeys: 4 },
);

function runWsSession(port: number, headers: Record<string, string>, frames: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(`ws://127.0.0.1:${port}/mqtt`, 'mqtt', { headers });
    } catch {
      // The client library refused the headers itself (an invalid header value): nothing was sent.
      resolve();
      return;
    }
    const timer = setTimeout(() => ws.terminate(), 300);
    ws.on('error', () => undefined);
    ws.on('unexpected-response', () => ws.terminate());
    ws.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.on('open', () => {
      for (const f of frames) ws.send(f);
      ws.close();
    });
  });
}

async function assertHealthy(round: number): Promise<void> {
  const msg = diagnostics('cm-ok');
  await healthy.publishAsync(deviceTopic('cm-ok', 'diagnostics'), JSON.stringify(msg), { qos: 1 });
  expect(
    tb.broker.fleet.db.prepare('SELECT COUNT(*) FROM diagnostics WHERE msg_id = ?').pluck().get(msg.id),
    `round ${round}: the healthy device's report was stored`,
  ).toBe(1);
  const res = await fetch(`http://127.0.0.1:${tb.broker.httpPort}/healthz`);
  expect(res.status, `round ${round}: /healthz`).toBe(200);
}

describe('broker edge fuzz (bounded)', () => {
  it(`survives ${ROUNDS} rounds of mutated MQTT over TCP and WebSocket upgrades with random headers (seed ${SEED})`, async () => {
    const raw = fc.sample(session, { seed: SEED, numRuns: ROUNDS });
    const ws = fc.sample(fc.tuple(upgradeHeaders, fc.array(mutated, { maxLength: 4 })), {
      seed: SEED + 1,
      numRuns: ROUNDS,
    });
    const errorsBefore = tb.broker.counters.get('broker.error');
    for (let round = 0; round < ROUNDS; round += 8) {
      // Eight sessions at a time, raw and WebSocket mixed, then the healthy client must still be served.
      const batch: Promise<void>[] = [];
      for (let k = round; k < Math.min(round + 8, ROUNDS); k++) {
        batch.push(runRawSession(tb.broker.mqttPort, raw[k]!));
        batch.push(runWsSession(tb.broker.httpPort, ws[k]![0], ws[k]![1]));
      }
      await Promise.all(batch);
      if (round % 40 === 0) await assertHealthy(round);
    }
    await assertHealthy(ROUNDS);
    expect(healthy.connected).toBe(true);
    expect(tb.broker.counters.get('broker.error')).toBe(errorsBefore);
  }, 120_000);
});
