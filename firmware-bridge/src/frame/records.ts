import { ErrorCode, fail, ok, type Result, type SensorValue } from '@touchpoint/protocol';

/**
 * Frame bodies are lists of typed records: key length (1 byte), key (ASCII), type tag (1 byte), value.
 *   'b' 0x62  boolean, 1 byte (0 or 1)
 *   'i' 0x69  int32, 4 bytes little-endian (the MCU's native order)
 *   'f' 0x66  float32, 4 bytes little-endian (IEEE 754)
 *   's' 0x73  string, 1 length byte + UTF-8 (at most 255 bytes)
 * The tags are printable so a hex dump stays readable; the order of records is kept.
 */
export type RecordValue = SensorValue;
export type Record_ = [key: string, value: RecordValue];

export const Tag = { bool: 0x62, int: 0x69, float: 0x66, string: 0x73 } as const;

const MAX_KEY = 63;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeRecords(records: Iterable<Record_>): Uint8Array {
  const parts: number[] = [];
  for (const [key, value] of records) {
    const keyBytes = encoder.encode(key);
    if (keyBytes.length === 0 || keyBytes.length > MAX_KEY)
      throw new RangeError(`record key "${key}" must be 1-${MAX_KEY} bytes`);
    parts.push(keyBytes.length, ...keyBytes);
    if (typeof value === 'boolean') {
      parts.push(Tag.bool, value ? 1 : 0);
    } else if (typeof value === 'number') {
      const view = new DataView(new ArrayBuffer(4));
      if (Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff) {
        view.setInt32(0, value, true);
        parts.push(Tag.int);
      } else {
        view.setFloat32(0, value, true);
        parts.push(Tag.float);
      }
      parts.push(...new Uint8Array(view.buffer));
    } else {
      const bytes = encoder.encode(value);
      if (bytes.length > 255) throw new RangeError(`record "${key}": string longer than 255 bytes`);
      parts.push(Tag.string, bytes.length, ...bytes);
    }
  }
  return Uint8Array.from(parts);
}

export function decodeRecords(body: Uint8Array): Result<Record_[]> {
  const out: Record_[] = [];
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let i = 0;
  const need = (n: number): boolean => i + n <= body.length;
  while (i < body.length) {
    const keyLength = body[i++] as number;
    if (keyLength === 0 || keyLength > MAX_KEY || !need(keyLength + 1))
      return fail(ErrorCode.FRAME_MALFORMED, `bad record key at byte ${i - 1}`);
    let key: string;
    try {
      key = decoder.decode(body.subarray(i, i + keyLength));
    } catch {
      return fail(ErrorCode.FRAME_MALFORMED, `record key at byte ${i} is not UTF-8`);
    }
    i += keyLength;
    const tag = body[i++] as number;
    switch (tag) {
      case Tag.bool:
        if (!need(1)) return truncated(key);
        out.push([key, body[i++] !== 0]);
        break;
      case Tag.int:
        if (!need(4)) return truncated(key);
        out.push([key, view.getInt32(i, true)]);
        i += 4;
        break;
      case Tag.float: {
        if (!need(4)) return truncated(key);
        // float32 carries about 7 significant digits; drop the binary noise (93.2 stays 93.2).
        out.push([key, Number(view.getFloat32(i, true).toPrecision(7))]);
        i += 4;
        break;
      }
      case Tag.string: {
        if (!need(1)) return truncated(key);
        const length = body[i++] as number;
        if (!need(length)) return truncated(key);
        try {
          out.push([key, decoder.decode(body.subarray(i, i + length))]);
        } catch {
          return fail(ErrorCode.FRAME_MALFORMED, `record "${key}": string is not UTF-8`);
        }
        i += length;
        break;
      }
      default:
        return fail(ErrorCode.FRAME_MALFORMED, `record "${key}": unknown type tag 0x${tag.toString(16)}`);
    }
  }
  return ok(out);
}

const truncated = (key: string): Result<Record_[]> => fail(ErrorCode.FRAME_MALFORMED, `record "${key}" is truncated`);

export const recordsToObject = (records: Record_[]): Record<string, RecordValue> => Object.fromEntries(records);
