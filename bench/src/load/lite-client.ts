import { connect as netConnect, type Socket } from 'node:net';
import {
  PINGREQ,
  PacketScanner,
  PacketType,
  decodePublish,
  encodeConnect,
  encodePuback,
  encodePublish,
  encodeSubscribe,
  type ConnectFields,
  type InboundPublish,
} from './mqtt-wire.js';

export interface LiteClientOptions extends ConnectFields {
  host: string;
  port: number;
  connectTimeoutMs?: number;
}

/** A refused or failed connection, with the CONNACK return code when there was one [MQTT-3.2.2.3]. */
export class ConnectError extends Error {
  constructor(
    message: string,
    readonly returnCode?: number,
  ) {
    super(message);
  }
}

/**
 * A minimal MQTT 3.1.1 client for load generation: one socket with
 * TCP_NODELAY (MQTT.js offers no option for it, and Nagle's algorithm plus
 * delayed ACK adds ~40 ms to a small request/response on loopback), QoS 0/1,
 * automatic PUBACK for inbound QoS 1, and keepalive pings. It holds no
 * per-message store, so thousands fit in one process.
 */
export class LiteClient {
  onPublish: ((msg: InboundPublish) => void) | undefined;
  private readonly scanner = new PacketScanner();
  private readonly acks = new Map<number, () => void>();
  private readonly subacks = new Map<number, (granted: number) => void>();
  /** PINGRESP callbacks in order; a broker answers a client's packets in the order it read them. */
  private readonly pongs: (() => void)[] = [];
  private nextId = 1;
  private pinger: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    readonly socket: Socket,
    readonly clientId: string,
  ) {}

  static connect(opts: LiteClientOptions): Promise<LiteClient> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host: opts.host, port: opts.port });
      socket.setNoDelay(true);
      const client = new LiteClient(socket, opts.clientId);
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      const timer = setTimeout(
        () => fail(new ConnectError(`connect timeout for ${opts.clientId}`)),
        opts.connectTimeoutMs ?? 30_000,
      );
      socket.once('error', (err) => fail(new ConnectError(`${opts.clientId}: ${err.message}`)));
      socket.once('close', () => {
        client.closed = true;
        if (client.pinger) clearInterval(client.pinger);
        fail(new ConnectError(`${opts.clientId}: connection closed before CONNACK`));
      });
      socket.on('data', (chunk: Buffer) => {
        // Everything written while handling one chunk (PUBACKs, ack-driven publishes) leaves in one segment.
        socket.cork();
        process.nextTick(() => socket.uncork());
        client.scanner.push(chunk, (type, flags, body) => {
          if (type === PacketType.CONNACK && !settled) {
            const code = body[1] ?? 255;
            if (code !== 0) return fail(new ConnectError(`${opts.clientId}: CONNACK ${code}`, code));
            settled = true;
            clearTimeout(timer);
            socket.on('error', () => undefined);
            if (opts.keepalive > 0) {
              client.pinger = setInterval(() => client.ping(() => undefined), opts.keepalive * 1000 * 0.9);
              client.pinger.unref();
            }
            resolve(client);
            return;
          }
          client.onPacket(type, flags, body);
        });
      });
      socket.write(encodeConnect(opts));
    });
  }

  private onPacket(type: number, flags: number, body: Buffer): void {
    switch (type) {
      case PacketType.PUBACK: {
        const id = body.readUInt16BE(0);
        const done = this.acks.get(id);
        if (done) {
          this.acks.delete(id);
          done();
        }
        return;
      }
      case PacketType.SUBACK: {
        const id = body.readUInt16BE(0);
        const done = this.subacks.get(id);
        this.subacks.delete(id);
        done?.(body[2] ?? 0x80);
        return;
      }
      case PacketType.PINGRESP:
        this.pongs.shift()?.();
        return;
      case PacketType.PUBLISH: {
        const msg = decodePublish(flags, body);
        if (msg.qos === 1) this.write(encodePuback(msg.packetId));
        this.onPublish?.(msg);
        return;
      }
      default:
        return;
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private packetId(): number {
    for (let i = 0; i < 65535; i++) {
      const id = this.nextId;
      this.nextId = this.nextId === 65535 ? 1 : this.nextId + 1;
      if (!this.acks.has(id) && !this.subacks.has(id)) return id;
    }
    throw new Error('no free packet id');
  }

  /** Returns socket.write's verdict: false means wait for 'drain'. */
  write(buf: Buffer): boolean {
    if (this.closed) return false;
    return this.socket.write(buf);
  }

  /**
   * PINGREQ with a callback on its PINGRESP. Sent after QoS 0 publishes it is a
   * barrier: the broker has read everything before it, which is how QoS 0 load
   * keeps a bounded window without acknowledgements.
   */
  ping(onPong: () => void): void {
    this.pongs.push(onPong);
    this.write(PINGREQ);
  }

  subscribe(filter: string, qos: 0 | 1): Promise<number> {
    return new Promise((resolve) => {
      const id = this.packetId();
      this.subacks.set(id, resolve);
      this.write(encodeSubscribe(id, filter, qos));
    });
  }

  /** QoS 1: `onAck` runs on PUBACK. QoS 0: returns at once. Returns socket.write's verdict. */
  publishRaw(topic: Buffer, payload: Buffer, qos: 0 | 1, retain = false, onAck?: () => void): boolean {
    if (qos === 0) return this.write(encodePublish(topic, payload, 0, 0, retain));
    const id = this.packetId();
    if (onAck) this.acks.set(id, onAck);
    else this.acks.set(id, () => undefined);
    return this.write(encodePublish(topic, payload, 1, id, retain));
  }

  publish(topic: string, payload: string | Buffer, qos: 0 | 1, retain = false): Promise<void> {
    const t = Buffer.from(topic);
    const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
    if (qos === 0) {
      this.publishRaw(t, p, 0, retain);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.publishRaw(t, p, 1, retain, resolve));
  }

  /** Publishes waiting on PUBACK. */
  get inflight(): number {
    return this.acks.size;
  }

  /** Sends DISCONNECT [MQTT-3.14] and closes. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pinger) clearInterval(this.pinger);
    this.socket.end(Buffer.from([0xe0, 0x00]));
  }

  destroy(): void {
    this.closed = true;
    if (this.pinger) clearInterval(this.pinger);
    this.socket.destroy();
  }
}
