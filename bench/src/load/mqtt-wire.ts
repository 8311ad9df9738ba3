import { generate } from 'mqtt-packet';

/**
 * The few MQTT 3.1.1 packets the load generators need. Outbound control packets
 * go through mqtt-packet; PUBLISH is framed by hand because it is the hot path
 * of the ingest load, and inbound packets are scanned without building objects,
 * so the generator spends its CPU on sending, not on itself.
 */

export const PacketType = { CONNACK: 2, PUBLISH: 3, PUBACK: 4, SUBACK: 9, PINGRESP: 13 } as const;

function remainingLength(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

/** A PUBLISH packet [MQTT-3.3]; packetId only for QoS > 0 [MQTT-2.3.1-5]. */
export function encodePublish(topic: Buffer, payload: Buffer, qos: 0 | 1, packetId: number, retain = false): Buffer {
  const variable = 2 + topic.length + (qos > 0 ? 2 : 0);
  const len = remainingLength(variable + payload.length);
  const buf = Buffer.allocUnsafe(1 + len.length + variable + payload.length);
  let o = 0;
  buf[o++] = 0x30 | (qos << 1) | (retain ? 1 : 0);
  for (const b of len) buf[o++] = b;
  buf.writeUInt16BE(topic.length, o);
  o += 2;
  topic.copy(buf, o);
  o += topic.length;
  if (qos > 0) {
    buf.writeUInt16BE(packetId, o);
    o += 2;
  }
  payload.copy(buf, o);
  return buf;
}

export function encodePuback(packetId: number): Buffer {
  return Buffer.from([0x40, 0x02, packetId >> 8, packetId & 0xff]);
}

export const PINGREQ = Buffer.from([0xc0, 0x00]);

export interface ConnectFields {
  clientId: string;
  username?: string;
  password?: string;
  keepalive: number;
  will?: { topic: string; payload: string; qos: 0 | 1; retain: boolean };
}

export function encodeConnect(c: ConnectFields): Buffer {
  return generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId: c.clientId,
    keepalive: c.keepalive,
    ...(c.username !== undefined ? { username: c.username } : {}),
    ...(c.password !== undefined ? { password: Buffer.from(c.password) } : {}),
    ...(c.will
      ? { will: { topic: c.will.topic, payload: Buffer.from(c.will.payload), qos: c.will.qos, retain: c.will.retain } }
      : {}),
  });
}

export function encodeSubscribe(packetId: number, filter: string, qos: 0 | 1): Buffer {
  return generate({ cmd: 'subscribe', messageId: packetId, subscriptions: [{ topic: filter, qos }] });
}

export interface InboundPublish {
  topic: string;
  qos: number;
  packetId: number;
  payload: Buffer;
}

/**
 * Splits a byte stream into MQTT packets by their fixed header [MQTT-2.2],
 * keeping a partial packet across chunks.
 */
export class PacketScanner {
  private rest: Buffer | undefined;

  push(chunk: Buffer, onPacket: (type: number, flags: number, body: Buffer) => void): void {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = undefined;
    let pos = 0;
    while (pos < buf.length) {
      let len = 0;
      let mult = 1;
      let i = pos + 1;
      let complete = false;
      for (; i < buf.length && i < pos + 5; i++) {
        const b = buf[i]!;
        len += (b & 0x7f) * mult;
        mult *= 128;
        if ((b & 0x80) === 0) {
          complete = true;
          i++;
          break;
        }
      }
      if (!complete) {
        if (i >= pos + 5) throw new Error('malformed remaining length');
        break;
      }
      if (i + len > buf.length) break;
      const first = buf[pos]!;
      onPacket(first >> 4, first & 0x0f, buf.subarray(i, i + len));
      pos = i + len;
    }
    if (pos < buf.length) {
      // Copy, so a retained tail does not pin a large socket chunk.
      this.rest = Buffer.from(buf.subarray(pos));
    }
  }
}

/** PUBLISH body → topic, packet id, payload [MQTT-3.3.2]. */
export function decodePublish(flags: number, body: Buffer): InboundPublish {
  const qos = (flags >> 1) & 0x03;
  const topicLen = body.readUInt16BE(0);
  const topic = body.toString('utf8', 2, 2 + topicLen);
  let o = 2 + topicLen;
  let packetId = 0;
  if (qos > 0) {
    packetId = body.readUInt16BE(o);
    o += 2;
  }
  return { topic, qos, packetId, payload: body.subarray(o) };
}

/** Reads just the packet id of a QoS > 0 PUBLISH, for a counting subscriber that never looks at payloads. */
export function publishPacketId(body: Buffer): number {
  const topicLen = body.readUInt16BE(0);
  return body.readUInt16BE(2 + topicLen);
}
