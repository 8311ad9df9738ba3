import type { Duplex } from 'node:stream';
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
  /**
   * The fixed header being read: its first byte (-1 before it), the remaining-length bytes so far and
   * their value. Plain numbers, not a byte array per packet: a guard lives as long as its connection (issue 13).
   */
  private first = -1;
  private lengthBytes = 0;
  private length = 0;
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
      const byte = chunk[i]!;
      i++;
      if (this.first < 0) {
        this.first = byte;
        continue;
      }
      this.length += (byte & 0x7f) * 128 ** this.lengthBytes;
      this.lengthBytes++;
      if (byte & 0x80) {
        // [MQTT-2.2.3] the remaining length takes at most four bytes.
        if (this.lengthBytes >= 4) return 'MALFORMED_LENGTH';
        continue;
      }
      const length = this.length;
      const type = this.first >> 4;
      const total = length + 1 + this.lengthBytes;
      if (this.packets === 0 && type !== CONNECT) return 'FIRST_PACKET_NOT_CONNECT';
      if (total > (this.packets === 0 ? this.limits.maxPreAuthBytes : this.limits.maxPacketBytes))
        return 'PACKET_TOO_LARGE';
      this.packets++;
      this.remaining = length;
      this.type = type;
      this.flags = this.first & 0x0f;
      if (this.collected.length > 0) this.collected = [];
      this.collectedLength = 0;
      // PUBLISH: first the topic length; CONNECT, SUBSCRIBE, UNSUBSCRIBE: the whole (small, bounded) body.
      this.wanted =
        type === PUBLISH
          ? Math.min(2, length)
          : type === CONNECT || type === SUBSCRIBE || type === UNSUBSCRIBE
            ? length
            : 0;
      this.first = -1;
      this.lengthBytes = 0;
      this.length = 0;
    }
    return undefined;
  }

  private inspect(): GuardViolation | undefined {
    const body = this.collected.length === 1 ? this.collected[0]! : Buffer.concat(this.collected);
    if (this.type === PUBLISH) {
      const head = Math.min(publishHeadLength(this.flags, body), this.collectedLength + this.remaining);
      if (head > this.wanted) {
        this.wanted = head; // the topic and packet id follow; collect them before judging
        this.collected = [body];
        return undefined;
      }
    }
    // Judged: the bytes are let go, so an idle connection holds no slice of its last packet.
    this.wanted = 0;
    this.collected = [];
    switch (this.type) {
      case PUBLISH:
        return checkPublishHead(this.flags, body);
      case SUBSCRIBE:
      case UNSUBSCRIBE:
        return checkSubscription(body, this.type === SUBSCRIBE);
      case CONNECT:
        return checkConnect(body);
      default:
        return undefined;
    }
  }
}

/**
 * Puts the packet guard in the read path of the stream aedes reads from (a socket, or a WebSocket stream).
 * Every chunk a stream receives goes through its push() (Readable's contract for stream implementations:
 * net.Socket, tls.TLSSocket and ws' createWebSocketStream all hand received data to push), so the guard
 * judges each chunk before it is buffered for aedes, and a violation destroys the stream instead.
 * One closure per connection, where a second Duplex around the socket cost ≈ 1 KiB of heap per connected
 * device (issue 13, docs/benchmarks.md); writes go straight to the socket, as in bare aedes.
 */
export function guardStream(stream: Duplex, limits: GuardLimits, onViolation: (v: GuardViolation) => void): void {
  const guard = new PacketGuard(limits);
  const push = stream.push;
  let refused = false;
  stream.push = function guardedPush(chunk: unknown, encoding?: BufferEncoding): boolean {
    // A chunk still on its way after a violation is dropped, not judged (and reported) again.
    if (refused) return false;
    // null is the end of the stream; anything else is data, a Buffer as no encoding is set on these streams.
    if (chunk !== null && chunk !== undefined) {
      const violation = guard.scan(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
      if (violation) {
        refused = true;
        onViolation(violation);
        stream.destroy();
        return false;
      }
    }
    return push.call(stream, chunk, encoding);
  };
}
