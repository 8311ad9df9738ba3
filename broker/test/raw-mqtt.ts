import { connect as netConnect, type Socket } from 'node:net';
import { generate, parser as createParser, type Packet } from 'mqtt-packet';

/** A raw MQTT 3.1.1 connection for conformance tests: send any bytes, see every packet back and the close. */
export class RawMqtt {
  readonly packets: Packet[] = [];
  closed = false;
  private readonly waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    const parser = createParser({ protocolVersion: 4 });
    parser.on('packet', (p: Packet) => {
      this.packets.push(p);
      this.wake();
    });
    parser.on('error', () => undefined);
    socket.on('data', (b: Buffer) => parser.parse(b));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static open(port: number): Promise<RawMqtt> {
    return new Promise((resolve, reject) => {
      const socket = netConnect(port, '127.0.0.1');
      socket.once('connect', () => resolve(new RawMqtt(socket)));
      socket.once('error', reject);
    });
  }

  send(packet: Packet | Buffer): void {
    this.socket.write(Buffer.isBuffer(packet) ? packet : generate(packet));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when `check` holds, or rejects after `timeoutMs` naming `what`. */
  until<T>(check: () => T | undefined | false, what: string, timeoutMs = 5_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.packets.map((p) => p.cmd))}, closed=${this.closed}`)), timeoutMs);
      const test = () => {
        const value = check();
        if (value) {
          clearTimeout(timer);
          resolve(value);
        } else this.waiters.push(test);
      };
      test();
    });
  }

  packet<C extends Packet['cmd']>(cmd: C, what = cmd): Promise<Extract<Packet, { cmd: C }>> {
    return this.until(() => this.packets.find((p): p is Extract<Packet, { cmd: C }> => p.cmd === cmd), what);
  }

  closedByServer(what = 'the server to close the connection'): Promise<true> {
    return this.until(() => this.closed || undefined, what);
  }

  end(): void {
    this.socket.destroy();
  }
}

/** A PUBLISH built byte by byte, so that topics the encoder would refuse (ill-formed UTF-8) can be sent. */
export function rawPublish(topic: Buffer, payload: Buffer, qos: 0 | 1, packetId = 1): Buffer {
  const body = Buffer.concat([Buffer.from([topic.length >> 8, topic.length & 0xff]), topic, qos > 0 ? Buffer.from([packetId >> 8, packetId & 0xff]) : Buffer.alloc(0), payload]);
  return Buffer.concat([Buffer.from([0x30 | (qos << 1)]), remainingLength(body.length), body]);
}

/** A SUBSCRIBE (or UNSUBSCRIBE) with raw filter bytes. */
export function rawSubscription(kind: 'subscribe' | 'unsubscribe', filters: Buffer[], packetId = 1): Buffer {
  const parts = filters.flatMap((f) => [Buffer.from([f.length >> 8, f.length & 0xff]), f, ...(kind === 'subscribe' ? [Buffer.from([1])] : [])]);
  const body = Buffer.concat([Buffer.from([packetId >> 8, packetId & 0xff]), ...parts]);
  return Buffer.concat([Buffer.from([kind === 'subscribe' ? 0x82 : 0xa2]), remainingLength(body.length), body]);
}

function remainingLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}
