import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, connect as netConnect, type AddressInfo, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import { WebSocket, WebSocketServer, createWebSocketStream } from 'ws';
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

/** The client side of a connection whose server side is handed to onStream, over TCP, TLS or WebSocket. */
interface Transport {
  send(bytes: Buffer): void;
  close(): void;
}

let tlsFiles: { cert: Buffer; key: Buffer } | undefined;
/** A self-signed certificate for 127.0.0.1, made once (as broker.test.ts does for MQTTS). */
function certificate(): { cert: Buffer; key: Buffer } {
  if (tlsFiles) return tlsFiles;
  const dir = mkdtempSync(join(tmpdir(), 'tp-guard-tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'].concat([
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ]),
      { stdio: 'ignore' },
    );
    tlsFiles = { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) };
    return tlsFiles;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function listening(server: NetServer | HttpServer): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

const TRANSPORTS: Record<string, (onStream: (s: Duplex) => void) => Promise<Transport>> = {
  async tcp(onStream) {
    const server = createServer((socket) => onStream(socket));
    const client = netConnect(await listening(server), '127.0.0.1');
    client.on('error', () => undefined);
    await once(client, 'connect');
    return {
      send: (b) => client.write(b),
      close: () => (client.destroy(), server.close()),
    };
  },
  async tls(onStream) {
    const { cert, key } = certificate();
    const server = createTlsServer({ cert, key }, (socket) => onStream(socket));
    const client = tlsConnect({ host: '127.0.0.1', port: await listening(server), ca: cert });
    client.on('error', () => undefined);
    await once(client, 'secureConnect');
    return {
      send: (b) => client.write(b),
      close: () => (client.destroy(), server.close()),
    };
  },
  async websocket(onStream) {
    const http = createHttpServer();
    const wss = new WebSocketServer({ server: http, path: '/mqtt' });
    wss.on('connection', (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => undefined);
      onStream(stream);
    });
    const client = new WebSocket(`ws://127.0.0.1:${await listening(http)}/mqtt`);
    client.on('error', () => undefined);
    await once(client, 'open');
    return {
      send: (b) => client.send(b),
      close: () => (client.terminate(), wss.close(), http.close()),
    };
  },
};

describe.each(Object.keys(TRANSPORTS))('packet guard: in the read path of a real %s connection', (kind) => {
  let transport: Transport | undefined;
  afterEach(() => transport?.close());

  /** The server side is guarded and read the way aedes reads it ('readable' + read()). */
  async function guardedPair() {
    const violations: GuardViolation[] = [];
    const received: Buffer[] = [];
    let accepted!: (s: Duplex) => void;
    const stream = new Promise<Duplex>((resolve) => (accepted = resolve));
    transport = await TRANSPORTS[kind]!((server) => {
      guardStream(server, LIMITS, (v) => violations.push(v));
      server.on('readable', () => {
        for (let chunk: Buffer | null; (chunk = server.read() as Buffer | null) !== null;) received.push(chunk);
      });
      accepted(server);
    });
    return { stream: await stream, send: transport.send, violations, received };
  }

  async function until(check: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  it('passes valid packets through to the reader, however they are split', async () => {
    const { send, received, violations } = await guardedPair();
    const session = Buffer.concat([connect, subscribe, publish, ping]);
    for (let at = 0; at < session.length; at += 7) send(session.subarray(at, at + 7));
    await until(() => Buffer.concat(received).length === session.length, 'every byte at the reader');
    expect(Buffer.concat(received).equals(session)).toBe(true);
    expect(violations).toEqual([]);
  });

  it('destroys the stream at the first violation, reports it once and passes nothing of it on', async () => {
    const { stream, send, received, violations } = await guardedPair();
    send(connect);
    await until(() => Buffer.concat(received).length === connect.length, 'the CONNECT at the reader');
    send(Buffer.concat([publish.subarray(0, 1), Buffer.from([0xff, 0xff, 0xff, 0x7f])]));
    await until(() => stream.destroyed, 'the guarded stream to be destroyed');
    send(ping);
    expect(violations).toEqual(['PACKET_TOO_LARGE']);
    expect(Buffer.concat(received).equals(connect)).toBe(true);
  });
});
