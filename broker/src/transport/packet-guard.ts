import { Duplex } from 'node:stream';

export interface GuardLimits {
  maxPacketBytes: number;
  maxPreAuthBytes: number;
}

export type GuardViolation = 'PACKET_TOO_LARGE' | 'FIRST_PACKET_NOT_CONNECT' | 'MALFORMED_LENGTH';

const CONNECT = 1;

/**
 * Reads MQTT fixed headers as bytes arrive and destroys the connection when a
 * packet declares a length above the limit, before anything is buffered for it
 * (aedes has no maximum packet size). The first packet must be CONNECT
 * [MQTT-3.1.0-1] and fit in the pre-login budget, which bounds memory per
 * unauthenticated socket.
 */
export class PacketGuard {
  private headerBytes: number[] = [];
  private remaining = 0;
  private packets = 0;

  constructor(private readonly limits: GuardLimits) {}

  /** Returns a violation, or undefined when the chunk is fine. */
  scan(chunk: Buffer): GuardViolation | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - i);
        this.remaining -= take;
        i += take;
        continue;
      }
      this.headerBytes.push(chunk[i]!);
      i++;
      if (this.headerBytes.length === 1) continue;
      const lengthByte = this.headerBytes[this.headerBytes.length - 1]!;
      if (lengthByte & 0x80) {
        // [MQTT-2.2.3] the remaining length takes at most four bytes.
        if (this.headerBytes.length > 4) return 'MALFORMED_LENGTH';
        continue;
      }
      let length = 0;
      for (let k = this.headerBytes.length - 1; k >= 1; k--) length = length * 128 + (this.headerBytes[k]! & 0x7f);
      const type = this.headerBytes[0]! >> 4;
      const total = length + this.headerBytes.length;
      if (this.packets === 0 && type !== CONNECT) return 'FIRST_PACKET_NOT_CONNECT';
      if (total > (this.packets === 0 ? this.limits.maxPreAuthBytes : this.limits.maxPacketBytes)) return 'PACKET_TOO_LARGE';
      this.packets++;
      this.remaining = length;
      this.headerBytes = [];
    }
    return undefined;
  }
}

/**
 * Wraps a socket (or a WebSocket stream) in a Duplex that aedes reads from,
 * with the packet guard in the read path and writes passed straight through.
 */
export function guardConnection(inner: Duplex, limits: GuardLimits, onViolation: (v: GuardViolation) => void): Duplex {
  const guard = new PacketGuard(limits);
  const outer = new Duplex({
    read() {
      inner.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      if (inner.write(chunk)) callback();
      else inner.once('drain', () => callback());
    },
    // A burst of PUBACKs leaves in one syscall, as it would on the raw socket.
    writev(chunks, callback) {
      inner.cork();
      let flowing = true;
      for (const { chunk } of chunks) flowing = inner.write(chunk as Buffer);
      inner.uncork();
      if (flowing) callback();
      else inner.once('drain', () => callback());
    },
    final(callback) {
      inner.end(callback);
    },
    destroy(err, callback) {
      inner.destroy(err ?? undefined);
      callback(err);
    },
  });
  inner.on('data', (chunk: Buffer) => {
    const violation = guard.scan(chunk);
    if (violation) {
      onViolation(violation);
      inner.destroy();
      outer.destroy();
      return;
    }
    if (!outer.push(chunk)) inner.pause();
  });
  inner.on('end', () => outer.push(null));
  inner.on('error', (err) => outer.destroy(err));
  inner.on('close', () => outer.destroy());
  return outer;
}
