import { once } from 'node:events';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { generate } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { PacketGuard, guardStream, type GuardViolation } from '../src/transport/packet-guard.js';
import { rawPublish, rawSubscription } from './raw-mqtt.js';

// The packet guard reads bytes as TCP delivers them, split anywhere (issue 13: it now sits in the
// socket's own read path instead of a second stream). Fixtures: whole sessions, split at every byte.

const LIMITS = { maxPacketBytes: 1_024, maxPreAuthBytes: 256 };
const connect = generate({
  cmd: 'connect',
  protocolId: 'MQTT',
  protocolVersion: 4,
  clean: true,
  clientId: 'cm-a',
  keepalive: 30,
});
const topic = Buffer.from('tp/v1/d/cm-a/diag');
const publish = rawPublish(topic, Buffer.alloc(300, 0x61), 1, 7);
const subscribe = rawSubscription('subscribe', [Buffer.from('tp/v1/d/cm-a/cmd')], 3);
const ping = generate({ cmd: 'pingreq' });

const SESSIONS: [string, Buffer, GuardViolation | undefined][] = [
  ['a valid session', Buffer.concat([connect, subscribe, publish, ping, publish]), undefined],
  ['a first packet that is not CONNECT', Buffer.concat([ping, connect]), 'FIRST_PACKET_NOT_CONNECT'],
  [
    'a remaining length of five bytes',
    Buffer.concat([connect, Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])]),
    'MALFORMED_LENGTH',
  ],
  [
    'a packet above the limit',
    Buffer.concat([connect, rawPublish(topic, Buffer.alloc(2_000), 1, 8)]),
    'PACKET_TOO_LARGE',
  ],
  [
    'a CONNECT above the pre-login budget',
    generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId: 'x'.repeat(300),
      keepalive: 30,
    }),
    'PACKET_TOO_LARGE',
  ],
  [
    'a QoS 1 PUBLISH with packet id 0',
    Buffer.concat([connect, rawPublish(topic, Buffer.from('{}'), 1, 0)]),
    'PACKET_ID_ZERO',
  ],
  [
    'U+0000 in a topic',
    Buffer.concat([connect, rawPublish(Buffer.from('tp/v1/d/cm-a/d\u0000g'), Buffer.from('{}'), 0, 0)]),
    'NULL_CHARACTER',
  ],
];

function verdict(chunks: Buffer[]): GuardViolation | undefined {
  const guard = new PacketGuard(LIMITS);
  for (const chunk of chunks) {
    const v = guard.scan(chunk);
    if (v) return v;
  }
  return undefined;
}

describe('packet guard: a packet split anywhere is judged as a whole', () => {
  it.each(SESSIONS)('%s', (_name, bytes, expected) => {
    expect(verdict([bytes])).toBe(expected);
    for (let at = 1; at < bytes.length; at++)
      expect(verdict([bytes.subarray(0, at), bytes.subarray(at)]), `split at byte ${at}`).toBe(expected);
    expect(verdict([...bytes].map((b) => Buffer.from([b]))), 'one byte at a time').toBe(expected);
  });
});

describe('packet guard: in the read path of a real socket', () => {
  let server: Server | undefined;
  let client: Socket | undefined;
  afterEach(() => {
    client?.destroy();
    server?.close();
  });

  /** A loopback server whose accepted socket is guarded and read the way aedes reads it ('readable' + read()). */
  async function guardedPair() {
    const violations: GuardViolation[] = [];
    const received: Buffer[] = [];
    const accepted = new Promise<Socket>((resolve) => {
      server = createServer((socket) => {
        guardStream(socket, LIMITS, (v) => violations.push(v));
        socket.on('readable', () => {
          for (let chunk: Buffer | null; (chunk = socket.read() as Buffer | null) !== null;) received.push(chunk);
        });
        resolve(socket);
      });
    });
    server!.listen(0, '127.0.0.1');
    await once(server!, 'listening');
    const port = (server!.address() as { port: number }).port;
    client = netConnect(port, '127.0.0.1');
    client.on('error', () => undefined);
    await once(client, 'connect');
    return { socket: await accepted, violations, received };
  }

  async function until(check: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setImmediate(r));
    }
  }

  it('passes valid packets through to the reader, however they are split', async () => {
    const { received, violations } = await guardedPair();
    const session = Buffer.concat([connect, subscribe, publish, ping]);
    for (let at = 0; at < session.length; at += 7) client!.write(session.subarray(at, at + 7));
    await until(() => Buffer.concat(received).length === session.length, 'every byte at the reader');
    expect(Buffer.concat(received).equals(session)).toBe(true);
    expect(violations).toEqual([]);
  });

  it('destroys the socket at the first violation, reports it once and passes nothing of it on', async () => {
    const { socket, received, violations } = await guardedPair();
    client!.write(connect);
    await until(() => Buffer.concat(received).length === connect.length, 'the CONNECT at the reader');
    const closed = once(socket, 'close');
    client!.write(Buffer.concat([publish.subarray(0, 1), Buffer.from([0xff, 0xff, 0xff, 0x7f])]));
    await closed;
    expect(violations).toEqual(['PACKET_TOO_LARGE']);
    expect(Buffer.concat(received).equals(connect)).toBe(true);
    expect(socket.destroyed).toBe(true);
  });
});
