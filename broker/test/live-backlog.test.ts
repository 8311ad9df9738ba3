import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiagnosticsMessage } from '@touchpoint/protocol';
import { LiveHub } from '../src/http/live-hub.js';
import type { Authed } from '../src/http/authed.js';
import { silentLogger } from '../src/logger.js';
import { diagnostics, eventually, startTestBroker, type TestBroker } from './helpers.js';

// Issue 12 #9: the live backlog held 2,000 events whatever their size; one device's large snapshots pinned memory.
const BACKLOG_BYTES = 512 * 1024;
const CLIENT_BUFFER = 256 * 1024;

let tb: TestBroker;
let hub: LiveHub;
let server: Server;
let port: number;
const sockets: Socket[] = [];

/** A snapshot of about 32 KB: the size of one event in the backlog. */
function bigSnapshot(i: number): DiagnosticsMessage {
  return diagnostics('cm-live', {
    extra: {
      blob: 'x'.repeat(250),
      n: i,
      ...Object.fromEntries(Array.from({ length: 120 }, (_, k) => [`k${k}`, 'y'.repeat(250)])),
    },
  });
}

beforeAll(async () => {
  tb = await startTestBroker();
  await tb.broker.fleet.provisionDevice('cm-live', 'coffee-machine');
  hub = new LiveHub(
    tb.broker.fleet,
    silentLogger,
    {
      heartbeatMs: 3_600_000,
      backlog: 2_000,
      maxBacklogBytes: BACKLOG_BYTES,
      maxBufferedBytes: CLIENT_BUFFER,
      maxStreamsPerSession: 8,
    },
    tb.broker.counters,
  );
  const { staff } = await tb.broker.fleet.staff.add('viewer-1', 'viewer');
  const { token } = tb.broker.fleet.staff.createSession(staff.id);
  const auth: Authed = { staff, session: tb.broker.fleet.staff.session(token)!, token, ip: '127.0.0.1' };
  server = createServer((req, res) => hub.attach(req, res, auth, 'cm-live'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await tb.cleanup();
});

/** An event stream that reads everything and remembers the last event id and the hello events. */
function reader(
  lastEventId?: string,
): Promise<{ res: IncomingMessage; lastId: () => string | undefined; hellos: string[] }> {
  return new Promise((resolve, reject) => {
    const req = get(
      { host: '127.0.0.1', port, path: '/', headers: lastEventId ? { 'last-event-id': lastEventId } : {} },
      (res) => {
        let buffered = '';
        let last: string | undefined;
        const hellos: string[] = [];
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          const end = buffered.lastIndexOf('\n\n');
          if (end < 0) return;
          for (const m of buffered.slice(0, end).matchAll(/^id: (\S+)$/gm)) last = m[1];
          for (const m of buffered.slice(0, end).matchAll(/^data: (\{"type":"hello".*)$/gm)) hellos.push(m[1]!);
          buffered = buffered.slice(end + 2);
        });
        resolve({ res, lastId: () => last, hellos });
      },
    );
    req.on('error', reject);
  });
}

/** Waits until a reading stream has the newest event (polling each millisecond, bounded). */
async function caughtUp(stream: { lastId: () => string | undefined }): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (stream.lastId() !== hub.lastEventId) {
    if (Date.now() > deadline)
      throw new Error(`the reading client did not catch up: at ${stream.lastId()}, newest ${hub.lastEventId}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** As ingest announces a stored snapshot: with its size as the device sent it. */
function emitSnapshot(d: ReturnType<typeof bigSnapshot>): void {
  tb.broker.fleet.live.emit('diagnostics', d, JSON.stringify(d).length);
}

describe('live hub: bounded by bytes', () => {
  it('keeps the backlog under its byte bound, and a resume from an evicted event asks the client to refetch', async () => {
    const first = await reader();
    await eventually(() => first.lastId(), 5_000, 'hello event');
    const helloId = first.lastId()!;
    for (let i = 0; i < 100; i++) emitSnapshot(bigSnapshot(i));
    expect(hub.backlogBytes).toBeGreaterThan(BACKLOG_BYTES / 2);
    expect(hub.backlogBytes).toBeLessThanOrEqual(BACKLOG_BYTES);
    first.res.destroy();

    // The hello id is older than anything still held: not resumable.
    const again = await reader(helloId);
    try {
      const hello = await eventually(() => again.hellos[0], 5_000, 'hello after reconnect');
      expect(JSON.parse(hello)).toMatchObject({ type: 'hello', resumed: false });
    } finally {
      again.res.destroy();
    }
    await eventually(() => hub.size === 0, 5_000, 'streams detached');
  });

  it('drops a client that stops reading, counts it, and keeps serving one that reads', async () => {
    const before = tb.broker.counters.get('live.slow_client_dropped');
    // The slow client sends its request and never reads a byte.
    const slow = netConnect(port, '127.0.0.1');
    sockets.push(slow);
    slow.pause();
    await new Promise<void>((resolve) => slow.once('connect', resolve));
    slow.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const fast = await reader();
    await eventually(() => hub.size === 2, 5_000, 'both streams attached');

    // Kernel socket buffers take several MB before Node buffers anything, so emit until the hub gives up on it.
    let emitted = 0;
    while (tb.broker.counters.get('live.slow_client_dropped') === before && emitted < 3_000) {
      emitSnapshot(bigSnapshot(emitted++));
      // The reading client is let catch up every few events, so only the client that does not read falls behind.
      if (emitted % 4 === 0) await caughtUp(fast);
    }
    expect(tb.broker.counters.get('live.slow_client_dropped')).toBe(before + 1);
    await eventually(() => hub.size === 1, 5_000, 'slow stream detached');
    // The reading client got everything, up to the last event.
    await caughtUp(fast);
    expect(fast.res.destroyed).toBe(false);
    fast.res.destroy();
  });
});
