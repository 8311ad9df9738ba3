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
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out waiting for ${what}; got ${JSON.stringify(this.packets.map((p) => p.cmd))}, closed=${this.closed}`,
            ),
          ),
        timeoutMs,
      );
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

/** Where the variable header starts: after the fixed header's type byte and its 1-4 remaining-length bytes. */
function variableHeaderAt(packet: Buffer): number {
  let at = 1;
  while (packet[at]! & 0x80) at++;
  return at + 1;
}

/**
 * A PUBLISH with raw topic bytes (ill-formed UTF-8 the encoder would refuse) and any packet id:
 * encoded by mqtt-packet with a placeholder topic of the same length, then patched.
 */
export function rawPublish(topic: Buffer, payload: Buffer, qos: 0 | 1, packetId = 1): Buffer {
  const packet = generate({
    cmd: 'publish',
    topic: 'x'.repeat(topic.length),
    payload,
    qos,
    messageId: qos > 0 ? 1 : undefined,
    retain: false,
    dup: false,
  });
  const at = variableHeaderAt(packet);
  topic.copy(packet, at + 2);
  if (qos > 0) packet.writeUInt16BE(packetId, at + 2 + topic.length);
  return packet;
}

/** A SUBSCRIBE (or UNSUBSCRIBE) with raw filter bytes and any packet id, patched into an encoded packet the same way. */
export function rawSubscription(kind: 'subscribe' | 'unsubscribe', filters: Buffer[], packetId = 1): Buffer {
  const placeholders = filters.map((f) => 'x'.repeat(f.length));
  const packet =
    kind === 'subscribe'
      ? generate({
          cmd: 'subscribe',
          messageId: 1,
          subscriptions: placeholders.map((topic) => ({ topic, qos: 1 as const })),
        })
      : generate({ cmd: 'unsubscribe', messageId: 1, unsubscriptions: placeholders });
  let at = variableHeaderAt(packet);
  packet.writeUInt16BE(packetId, at);
  at += 2;
  for (const f of filters) {
    f.copy(packet, at + 2);
    at += 2 + f.length + (kind === 'subscribe' ? 1 : 0);
  }
  return packet;
}
