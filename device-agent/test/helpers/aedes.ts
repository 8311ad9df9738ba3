import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import {
  DEVICE_REPORTS,
  deviceTopic,
  header,
  messageIdOf,
  parseTopic,
  type ReceiptMessage,
} from '@touchpoint/protocol';

/** aedes keeps connected clients by id; its typings do not list the field. */
const clients = (aedes: Aedes) => (aedes as unknown as { clients: Record<string, { conn: Socket }> }).clients;

export interface TestBroker {
  aedes: Aedes;
  port: number;
  url: string;
  /** Sockets of connected clients, so a test can cut one like a network failure. */
  sockets: Set<Socket>;
  /** Whether a client with this id is connected right now. */
  hasClient(clientId: string): boolean;
  /** Cut a client's TCP connection at the broker, as a dead network would. */
  dropClient(clientId: string): void;
  /** Let held clients in. */
  release(): void;
  /** Stop or resume the fleet's receipts (reports are still PUBACKed, as a clustered engine does). */
  withholdReceipts(withhold: boolean): void;
  /** Receipts sent so far. */
  readonly receipts: number;
  close(): Promise<void>;
}

/** A bare aedes broker on an ephemeral loopback port (or a given one, to "restart" it). */
export interface StartOptions {
  /** Clients matching `hold` are refused (CONNACK 3, server unavailable) until release(). */
  hold?: (clientId: string) => boolean;
  /** A CONNACK return code to refuse a client with (4: bad username or password), or 0 to let it in. */
  refuse?: (clientId: string) => 0 | 2 | 3 | 4 | 5;
}

/**
 * Stands in for the fleet's receipts (broker/src/fleet/receipts.ts, issue 15), which the agent's outbox
 * waits for: every report a client publishes is receipted, one receipt per device per event-loop turn.
 */
function answerWithReceipts(aedes: Aedes): { withhold(on: boolean): void; readonly sent: number } {
  let withheld = false;
  let sent = 0;
  let pending = new Map<string, string[]>();
  const reports = new Set<string>(DEVICE_REPORTS);
  aedes.on('publish', (packet, client) => {
    const topic = client && !withheld ? parseTopic(packet.topic) : undefined;
    const id = topic && reports.has(topic.kind) ? messageIdOf(packet.payload) : undefined;
    if (!topic || id === undefined) return;
    if (pending.size === 0)
      setImmediate(() => {
        const batch = pending;
        pending = new Map();
        for (const [deviceId, ids] of batch) {
          const receipt: ReceiptMessage = { ...header(), ids };
          sent++;
          aedes.publish(
            {
              cmd: 'publish',
              topic: deviceTopic(deviceId, 'receipt'),
              payload: Buffer.from(JSON.stringify(receipt)),
              qos: 0,
              retain: false,
              dup: false,
            },
            () => undefined,
          );
        }
      });
    pending.set(topic.deviceId, [...(pending.get(topic.deviceId) ?? []), id]);
  });
  return {
    withhold: (on) => void (withheld = on),
    get sent() {
      return sent;
    },
  };
}

export async function startAedes(port = 0, options: StartOptions = {}): Promise<TestBroker> {
  const aedes = await Aedes.createBroker();
  const receipts = answerWithReceipts(aedes);
  // Holding lets a test get its observers subscribed before the device reconnects.
  let holding = options.hold;
  aedes.authenticate = (client, _username, _password, done) => {
    const code = holding?.(client.id) ? 3 : (options.refuse?.(client.id) ?? 0);
    if (code !== 0) return done(Object.assign(new Error('refused by the test'), { returnCode: code }), false);
    done(null, true);
  };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    aedes,
    port: bound,
    url: `mqtt://127.0.0.1:${bound}`,
    sockets,
    release: () => {
      holding = undefined;
    },
    withholdReceipts: (withhold) => receipts.withhold(withhold),
    get receipts() {
      return receipts.sent;
    },
    hasClient: (clientId) => clientId in clients(aedes),
    dropClient: (clientId) => clients(aedes)[clientId]?.conn.destroy(),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
