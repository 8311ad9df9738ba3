import { isUtf8 } from 'node:buffer';

/**
 * Byte-level checks MQTT 3.1.1 asks of a server that the packet parser cannot
 * make once it has decoded strings (it replaces ill-formed UTF-8 with U+FFFD).
 * Each returns a violation name, or undefined when the packet may go on to aedes.
 */
export type PacketViolation = 'MALFORMED_UTF8' | 'NULL_CHARACTER' | 'PACKET_ID_ZERO' | 'BAD_QOS' | 'BAD_TOPIC';

/** [MQTT-1.5.3-1] well-formed UTF-8 without surrogates; [MQTT-1.5.3-2] no U+0000. */
function checkString(bytes: Buffer): PacketViolation | undefined {
  if (!isUtf8(bytes)) return 'MALFORMED_UTF8';
  if (bytes.includes(0)) return 'NULL_CHARACTER';
  return undefined;
}

function readString(body: Buffer, at: number): { bytes: Buffer; next: number } | undefined {
  if (at + 2 > body.length) return undefined;
  const length = body.readUInt16BE(at);
  if (at + 2 + length > body.length) return undefined;
  return { bytes: body.subarray(at + 2, at + 2 + length), next: at + 2 + length };
}

/** How many body bytes a PUBLISH needs inspected, once its first two (the topic length) are known. */
export function publishHeadLength(flags: number, firstTwo: Buffer): number {
  const qos = (flags >> 1) & 3;
  return 2 + firstTwo.readUInt16BE(0) + (qos > 0 ? 2 : 0);
}

export function checkPublishHead(flags: number, head: Buffer): PacketViolation | undefined {
  const qos = (flags >> 1) & 3;
  if (qos === 3) return 'BAD_QOS'; // [MQTT-3.3.1-4]
  const topic = readString(head, 0);
  if (!topic) return undefined; // truncated: the parser reports it
  const bad = checkString(topic.bytes);
  if (bad) return bad;
  // [MQTT-4.7.3-1] non-empty; [MQTT-3.3.2-2] no wildcards in a topic name.
  if (topic.bytes.length === 0 || topic.bytes.includes(0x2b) || topic.bytes.includes(0x23)) return 'BAD_TOPIC';
  // [MQTT-2.3.1-1] a QoS 1 or 2 PUBLISH carries a non-zero packet identifier.
  if (qos > 0 && topic.next + 2 <= head.length && head.readUInt16BE(topic.next) === 0) return 'PACKET_ID_ZERO';
  return undefined;
}

/** SUBSCRIBE and UNSUBSCRIBE: a non-zero packet identifier [MQTT-2.3.1-1], then filters that are well-formed strings. */
export function checkSubscription(body: Buffer, subscribe: boolean): PacketViolation | undefined {
  if (body.length < 2) return undefined;
  if (body.readUInt16BE(0) === 0) return 'PACKET_ID_ZERO';
  let at = 2;
  while (at < body.length) {
    const filter = readString(body, at);
    if (!filter) return undefined;
    const bad = checkString(filter.bytes);
    if (bad) return bad;
    at = filter.next;
    if (subscribe) {
      // [MQTT-3.8.3-4] requested QoS 0..2, reserved bits zero.
      if (at < body.length && body[at]! > 2) return 'BAD_QOS';
      at += 1;
    }
  }
  return undefined;
}

/** CONNECT: the client id, will topic and user name are UTF-8 strings too [MQTT-1.5.3-1]. */
export function checkConnect(body: Buffer): PacketViolation | undefined {
  const protocol = readString(body, 0);
  if (!protocol) return undefined;
  let at = protocol.next + 4; // level, flags, keep alive
  if (at > body.length) return undefined;
  // Levels other than 3.1 and 3.1.1 are answered with CONNACK 1 [MQTT-3.1.2-2]; their layout differs (MQTT 5 properties).
  const level = body[protocol.next]!;
  if (level !== 3 && level !== 4) return undefined;
  const flags = body[protocol.next + 1]!;
  const fields: boolean[] = [true, (flags & 0x04) !== 0, (flags & 0x04) !== 0, (flags & 0x80) !== 0];
  const utf8: boolean[] = [true, true, false, true]; // client id, will topic, will payload (bytes), user name
  for (let i = 0; i < fields.length; i++) {
    if (!fields[i]) continue;
    const field = readString(body, at);
    if (!field) return undefined;
    if (utf8[i]) {
      const bad = checkString(field.bytes);
      if (bad) return bad;
    }
    at = field.next;
  }
  return undefined;
}
