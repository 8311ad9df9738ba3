import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** The status the receiver answered. */
  answered: number | 'held';
  /** The sender's TCP port: which process sent it (test/helpers/socket-owner.ts), in cluster mode. */
  remotePort: number | undefined;
}

/**
 * A webhook receiver on a loopback port for tests (issue 17): records every request with its raw body, and
 * answers from a script (`script` first, in order, then `fallback`). `'hold'` keeps a request open without an
 * answer, as a receiver that hangs does. Waits are on arrivals, never on fixed sleeps.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  script: (number | 'hold')[] = [];
  fallback: number | 'hold' = 200;
  private readonly arrivals = new EventEmitter();
  private readonly held = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(path = '/hook'): Promise<WebhookReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new WebhookReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () =>
        receiver.answer(req.headers, Buffer.concat(chunks).toString('utf8'), req.socket.remotePort, res),
      );
    });
    return receiver;
  }

  private answer(
    headers: IncomingHttpHeaders,
    body: string,
    remotePort: number | undefined,
    res: ServerResponse,
  ): void {
    const next = this.script.shift() ?? this.fallback;
    const entry: Received = { headers, body, answered: next === 'hold' ? 'held' : next, remotePort };
    this.received.push(entry);
    if (next === 'hold') this.held.add(res);
    else res.writeHead(next, { 'content-type': 'text/plain' }).end(next < 300 ? 'ok' : 'receiver failed');
    this.arrivals.emit('request', entry);
  }

  /** The `count`-th request (1-based) that matches, waiting for it up to `timeoutMs`. */
  waitFor(match: (r: Received) => boolean, what: string, count = 1, timeoutMs = 15_000): Promise<Received> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hits = this.received.filter(match);
        if (hits.length < count) return false;
        this.arrivals.off('request', check);
        clearTimeout(timer);
        resolve(hits[count - 1]!);
        return true;
      };
      const timer = setTimeout(() => {
        this.arrivals.off('request', check);
        reject(new Error(`${what}: not received within ${timeoutMs} ms (got ${this.received.length} requests)`));
      }, timeoutMs);
      if (!check()) this.arrivals.on('request', check);
    });
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
