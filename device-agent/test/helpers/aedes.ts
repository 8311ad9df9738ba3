import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';

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
  close(): Promise<void>;
}

/** A bare aedes broker on an ephemeral loopback port (or a given one, to "restart" it). */
export interface StartOptions {
  /** Clients matching `hold` are refused (CONNACK 3, server unavailable) until release(). */
  hold?: (clientId: string) => boolean;
  /** A CONNACK return code to refuse a client with (4: bad username or password), or 0 to let it in. */
  refuse?: (clientId: string) => 0 | 2 | 3 | 4 | 5;
}

export async function startAedes(port = 0, options: StartOptions = {}): Promise<TestBroker> {
  const aedes = await Aedes.createBroker();
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
    hasClient: (clientId) => clientId in clients(aedes),
    dropClient: (clientId) => clients(aedes)[clientId]?.conn.destroy(),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
