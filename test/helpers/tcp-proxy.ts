import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP relay on loopback between a device and its broker, so a test can take the network away and
 * give it back (an outage the device sees as a dead link, the same for the embedded broker and an
 * engine node) without stopping the broker behind it.
 */
export interface TcpProxy {
  readonly port: number;
  /** Connections relayed so far. */
  readonly accepted: number;
  /** Drops every relayed connection and refuses new ones until restore(). */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let accepted = 0;
  const relay = (client: Socket) => {
    accepted++;
    const upstream = connect({ host: targetHost, port: targetPort });
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      // A reset on one side ends the other; the device sees a dead link, as on a real network.
      s.on('error', () => undefined);
    }
    client.pipe(upstream).on('close', () => client.destroy());
    upstream.pipe(client).on('close', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  let server: Server = createServer(relay);
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  const port = await listen(0);
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of open) s.destroy();
      server.close(() => resolve());
    });
  let down = false;
  return {
    port,
    get accepted() {
      return accepted;
    },
    async cut() {
      if (down) return;
      down = true;
      await stop();
    },
    async restore() {
      if (!down) return;
      server = createServer(relay);
      await listen(port);
      down = false;
    },
    close: () => (down ? Promise.resolve() : stop()),
  };
}
