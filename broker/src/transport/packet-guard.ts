import { Duplex } from 'node:stream';
import {
  checkConnect,
  checkPublishHead,
  checkSubscription,
  publishHeadLength,
  type PacketViolation,
} from './packet-checks.js';

export interface GuardLimits {
  maxPacketBytes: number;
  maxPreAuthBytes: number;
}

export type GuardViolation = 'PACKET_TOO_LARGE' | 'FIRST_PACKET_NOT_CONNECT' | 'MALFORMED_LENGTH' | PacketViolation;

const CONNECT = 1;
const PUBLISH = 3;
const SUBSCRIBE = 8;
const UNSUBSCRIBE = 10;

/**
 * Reads MQTT packets as bytes arrive and destroys the connection when a packet
 * breaks a rule, before aedes sees it:
 * - a declared length above the limit, before anything is buffered for it (aedes has no maximum packet size);
 * - a first packet that is not CONNECT [MQTT-3.1.0-1] or does not fit the pre-login budget;
 * - strings that are not well-formed UTF-8 or contain U+0000 [MQTT-1.5.3-1] [MQTT-1.5.3-2], and packet
 *   identifier 0 [MQTT-2.3.1-1], which the parser cannot see once it has decoded the packet (packet-checks.ts).
 * Only the head of a PUBLISH (topic and packet id) is copied; its payload streams through.
 */
export class PacketGuard {
  private headerBytes: number[] = [];
  private remaining = 0;
  private packets = 0;
  /** The packet being inspected: its type and flags, the body bytes wanted, and those collected so far. */
  private type = 0;
  private flags = 0;
  private wanted = 0;
  private collected: Buffer[] = [];
  private collectedLength = 0;

  constructor(private readonly limits: GuardLimits) {}

  /** Returns a violation, or undefined when the chunk is fine. */
  scan(chunk: Buffer): GuardViolation | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        if (this.wanted > this.collectedLength) {
          const keep = Math.min(this.remaining, chunk.length - i, this.wanted - this.collectedLength);
          this.collected.push(chunk.subarray(i, i + keep));
          this.collectedLength += keep;
          this.remaining -= keep;
          i += keep;
          if (this.collectedLength === this.wanted) {
            const violation = this.inspect();
            if (violation) return violation;
          }
          continue;
        }
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
      if (total > (this.packets === 0 ? this.limits.maxPreAuthBytes : this.limits.maxPacketBytes))
        return 'PACKET_TOO_LARGE';
      this.packets++;
      this.remaining = length;
      this.type = type;
      this.flags = this.headerBytes[0]! & 0x0f;
      this.collected = [];
      this.collectedLength = 0;
      // PUBLISH: first the topic length; CONNECT, SUBSCRIBE, UNSUBSCRIBE: the whole (small, bounded) body.
      this.wanted =
        type === PUBLISH
          ? Math.min(2, length)
          : type === CONNECT || type === SUBSCRIBE || type === UNSUBSCRIBE
            ? length
            : 0;
      this.headerBytes = [];
    }
    return undefined;
  }

  private inspect(): GuardViolation | undefined {
    const body = this.collected.length === 1 ? this.collected[0]! : Buffer.concat(this.collected);
    this.collected = [body];
    switch (this.type) {
      case PUBLISH: {
        const head = Math.min(publishHeadLength(this.flags, body), this.collectedLength + this.remaining);
        if (head > this.wanted) {
          this.wanted = head; // the topic and packet id follow; collect them before judging
          return undefined;
        }
        this.wanted = 0;
        return checkPublishHead(this.flags, body);
      }
      case SUBSCRIBE:
      case UNSUBSCRIBE:
        this.wanted = 0;
        return checkSubscription(body, this.type === SUBSCRIBE);
      case CONNECT:
        this.wanted = 0;
        return checkConnect(body);
      default:
        this.wanted = 0;
        return undefined;
    }
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
