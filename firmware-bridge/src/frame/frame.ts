import { TouchpointError, ErrorCode, fail, ok, type Result } from '@touchpoint/protocol';
import { cobsDecode, cobsEncode } from './cobs.js';
import {
  CRC_SIZE,
  DELIMITER,
  FrameKind,
  HEADER_SIZE,
  MAX_FRAME_SIZE,
  MIN_FRAME_SIZE,
  PROTOCOL_VERSION,
} from './constants.js';
import { crc16 } from './crc16.js';

/** One decoded frame. `body` is opaque here; records.ts gives it meaning. */
export interface Frame {
  kind: FrameKind;
  /** 0-255; requests pick it, responses echo it, events carry the MCU's own counter. */
  seq: number;
  command: number;
  /** 0 for requests and events. */
  status: number;
  body: Uint8Array;
}

/** The raw frame bytes (header, body, CRC big-endian) before COBS. */
export function frameBytes(frame: Frame): Uint8Array {
  const size = HEADER_SIZE + frame.body.length + CRC_SIZE;
  if (size > MAX_FRAME_SIZE) {
    throw new TouchpointError(
      ErrorCode.FRAME_TOO_LARGE,
      `frame of ${size} bytes exceeds the ${MAX_FRAME_SIZE}-byte limit`,
    );
  }
  const out = new Uint8Array(size);
  out[0] = PROTOCOL_VERSION;
  out[1] = frame.kind;
  out[2] = frame.seq & 0xff;
  out[3] = frame.command & 0xff;
  out[4] = frame.status & 0xff;
  out.set(frame.body, HEADER_SIZE);
  const crc = crc16(out, 0, size - CRC_SIZE);
  out[size - 2] = crc >> 8;
  out[size - 1] = crc & 0xff;
  return out;
}

/** Wire form: 0x00, COBS(frame bytes), 0x00. The leading delimiter flushes any garbage the receiver holds. */
export function encodeFrame(frame: Frame): Uint8Array {
  const encoded = cobsEncode(frameBytes(frame));
  const out = new Uint8Array(encoded.length + 2);
  out[0] = DELIMITER;
  out.set(encoded, 1);
  out[out.length - 1] = DELIMITER;
  return out;
}

const kinds = new Set<number>(Object.values(FrameKind));

/** Checks and splits raw (already COBS-decoded) frame bytes. */
export function parseFrameBytes(raw: Uint8Array): Result<Frame> {
  if (raw.length < MIN_FRAME_SIZE)
    return fail(
      ErrorCode.FRAME_MALFORMED,
      `frame of ${raw.length} bytes is shorter than the ${MIN_FRAME_SIZE}-byte minimum`,
    );
  if (raw.length > MAX_FRAME_SIZE)
    return fail(ErrorCode.FRAME_TOO_LARGE, `frame of ${raw.length} bytes exceeds the ${MAX_FRAME_SIZE}-byte limit`);
  const expected = crc16(raw, 0, raw.length - CRC_SIZE);
  const actual = ((raw[raw.length - 2] as number) << 8) | (raw[raw.length - 1] as number);
  if (expected !== actual) {
    return fail(ErrorCode.FRAME_CRC, `CRC mismatch: frame says 0x${hex16(actual)}, computed 0x${hex16(expected)}`);
  }
  if (raw[0] !== PROTOCOL_VERSION)
    return fail(ErrorCode.FRAME_VERSION, `protocol version ${raw[0]} is not supported (expected ${PROTOCOL_VERSION})`);
  const kind = raw[1] as number;
  if (!kinds.has(kind)) return fail(ErrorCode.FRAME_MALFORMED, `unknown frame kind 0x${kind.toString(16)}`);
  return ok({
    kind: kind as FrameKind,
    seq: raw[2] as number,
    command: raw[3] as number,
    status: raw[4] as number,
    body: raw.slice(HEADER_SIZE, raw.length - CRC_SIZE),
  });
}

/** Decodes one COBS block (the bytes between two delimiters). */
export function decodeFrame(block: Uint8Array): Result<Frame> {
  const raw = cobsDecode(block);
  if (!raw) return fail(ErrorCode.FRAME_MALFORMED, 'invalid COBS encoding');
  return parseFrameBytes(raw);
}

const hex16 = (n: number): string => n.toString(16).padStart(4, '0');

export const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
