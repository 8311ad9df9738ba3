import { describe, expect, it } from 'vitest';
import { cobsDecode, cobsEncode } from '../src/frame/cobs.js';
import { Command, FrameKind, MAX_FRAME_SIZE, maxEncodedSize } from '../src/frame/constants.js';
import { crc16 } from '../src/frame/crc16.js';
import { decodeFrame, encodeFrame, frameBytes, toHex, type Frame } from '../src/frame/frame.js';
import { FrameParser, type FramingError } from '../src/frame/parser.js';
import { decodeRecords, encodeRecords } from '../src/frame/records.js';
import { fromHex, vectors } from './helpers.js';

function collect(options: { now?: () => number; interByteTimeoutMs?: number } = {}) {
  const frames: Frame[] = [];
  const errors: FramingError[] = [];
  const parser = new FrameParser({ onFrame: (f) => frames.push(f), onError: (e) => errors.push(e), ...options });
  return { parser, frames, errors };
}

const ping = (seq: number, body: Uint8Array = new Uint8Array()): Frame => ({
  kind: FrameKind.request,
  seq,
  command: Command.ping,
  status: 0,
  body,
});

describe('CRC-16/CCITT-FALSE', () => {
  it('has the catalogue check value 0x29B1 for "123456789"', () => {
    expect(crc16(new TextEncoder().encode(vectors.crc.ascii))).toBe(0x29b1);
    expect(vectors.crc.value).toBe(0x29b1);
  });
});

describe('COBS', () => {
  it('encodes the textbook examples', () => {
    expect(toHex(cobsEncode(Uint8Array.of(0x00)))).toBe('01 01');
    expect(toHex(cobsEncode(Uint8Array.of(0x11, 0x22, 0x00, 0x33)))).toBe('03 11 22 02 33');
    const run = new Uint8Array(254).fill(0x01);
    expect(cobsEncode(run)[0]).toBe(0xff);
    expect(cobsDecode(cobsEncode(run))).toEqual(run);
  });
  it('rejects a code byte that runs past the end', () => {
    expect(cobsDecode(Uint8Array.of(0x05, 0x01))).toBeUndefined();
  });
});

describe('shared test vectors', () => {
  for (const v of vectors.valid) {
    it(`encodes and decodes "${v.name}"`, () => {
      const frame: Frame = {
        kind: v.kind as Frame['kind'],
        seq: v.seq,
        command: v.command,
        status: v.status,
        body: encodeRecords(v.records),
      };
      expect(toHex(frame.body)).toBe(v.body);
      expect(toHex(frameBytes(frame))).toBe(v.raw);
      expect(toHex(encodeFrame(frame))).toBe(v.wire);
      const { parser, frames, errors } = collect();
      parser.push(fromHex(v.wire));
      expect(errors).toEqual([]);
      expect(frames).toEqual([frame]);
      const records = decodeRecords(frames[0]!.body);
      expect(records.ok && records.value).toEqual(v.records);
    });
  }
  for (const v of vectors.invalid) {
    it(`reports ${v.error} for "${v.name}"`, () => {
      const { parser, frames, errors } = collect();
      parser.push(Uint8Array.from([0, ...cobsEncode(fromHex(v.raw)), 0]));
      expect(frames).toEqual([]);
      expect(errors.map((e) => e.code)).toEqual([v.error]);
    });
  }
});

describe('FrameParser byte fixtures', () => {
  const wire = encodeFrame(
    ping(
      7,
      encodeRecords([
        ['x', 1],
        ['label', 'hello'],
      ]),
    ),
  );

  it('reassembles a frame split at every possible point and one byte at a time', () => {
    for (let cut = 1; cut < wire.length; cut++) {
      const { parser, frames, errors } = collect();
      parser.push(wire.subarray(0, cut));
      parser.push(wire.subarray(cut));
      expect(frames.map((f) => f.seq)).toEqual([7]);
      expect(errors).toEqual([]);
    }
    const { parser, frames } = collect();
    for (const byte of wire) parser.push(Uint8Array.of(byte));
    expect(frames).toHaveLength(1);
  });

  it('parses back-to-back frames in one chunk, with and without shared delimiters', () => {
    const a = encodeFrame(ping(1));
    const b = encodeFrame(ping(2));
    const { parser, frames } = collect();
    parser.push(Uint8Array.from([...a, ...b, ...a.subarray(1)]));
    expect(frames.map((f) => f.seq)).toEqual([1, 2, 1]);
  });

  it('drops a frame with a bad CRC and keeps the next one', () => {
    const raw = frameBytes(ping(7, encodeRecords([['x', 1]])));
    raw[6] = (raw[6] as number) ^ 0x40; // a flipped bit in the body
    const bad = Uint8Array.from([0, ...cobsEncode(raw), 0]);
    const { parser, frames, errors } = collect();
    parser.push(Uint8Array.from([...bad, ...encodeFrame(ping(8))]));
    expect(frames.map((f) => f.seq)).toEqual([8]);
    expect(errors.map((e) => e.code)).toEqual(['FRAME_CRC']);
  });

  it('resynchronises after leading garbage and ignores trailing garbage until the next delimiter', () => {
    const { parser, frames, errors } = collect();
    parser.push(Uint8Array.from([0xde, 0xad, 0xbe, 0xef, ...wire, 0x13, 0x37]));
    expect(frames.map((f) => f.seq)).toEqual([7]);
    expect(errors).toHaveLength(1); // the leading garbage, ended by the frame's leading delimiter
    parser.push(encodeFrame(ping(9)));
    expect(frames.map((f) => f.seq)).toEqual([7, 9]);
    expect(errors).toHaveLength(2); // the trailing garbage
  });

  it('rejects an oversize frame without buffering it and recovers at the next delimiter', () => {
    const { parser, frames, errors } = collect();
    parser.push(Uint8Array.from([0, ...new Uint8Array(MAX_FRAME_SIZE * 3).fill(0x41), 0]));
    parser.push(encodeFrame(ping(3)));
    expect(errors.map((e) => e.code)).toEqual(['FRAME_TOO_LARGE']);
    expect(errors[0]!.discarded).toBe(MAX_FRAME_SIZE * 3);
    expect(frames.map((f) => f.seq)).toEqual([3]);
    expect(() => frameBytes(ping(1, new Uint8Array(MAX_FRAME_SIZE)))).toThrow(/exceeds/);
  });

  it('keeps a frame whose two parts reach the host 300 ms apart (a stalled host, issue 13)', () => {
    let now = 0;
    const { parser, frames, errors } = collect({ now: () => now, interByteTimeoutMs: 50 });
    parser.push(wire.subarray(0, 9));
    now = 300;
    parser.push(wire.subarray(9));
    expect(errors).toEqual([]);
    expect(frames.map((f) => f.seq)).toEqual([7]);
    expect(parser.stats.pausedFrames).toBe(1);
  });

  it('keeps a frame split by several pauses, one byte at a time', () => {
    let now = 0;
    const { parser, frames, errors } = collect({ now: () => now, interByteTimeoutMs: 50 });
    for (const byte of wire) {
      now += 120;
      parser.push(Uint8Array.of(byte));
    }
    expect(errors).toEqual([]);
    expect(frames.map((f) => f.seq)).toEqual([7]);
  });

  it('drops an abandoned partial frame before a pause and still finds the frame after it (no leading delimiter)', () => {
    let now = 0;
    const { parser, frames, errors } = collect({ now: () => now, interByteTimeoutMs: 50 });
    parser.push(wire.subarray(0, 5));
    now = 100;
    parser.push(encodeFrame(ping(4)).subarray(1)); // no leading delimiter: only the pause can separate them
    expect(errors.map((e) => [e.code, e.discarded])).toEqual([['FRAME_MALFORMED', 4]]);
    expect(errors[0]!.reason).toContain('inter-byte timeout');
    expect(frames.map((f) => f.seq)).toEqual([4]);
  });

  it('finds the frame after garbage and two pauses, and drops garbage that spans a pause', () => {
    let now = 0;
    const { parser, frames, errors } = collect({ now: () => now, interByteTimeoutMs: 50 });
    parser.push(Uint8Array.of(0x13, 0x37, 0x42));
    now = 100;
    parser.push(wire.subarray(1, 6));
    now = 400;
    parser.push(wire.subarray(6));
    expect(frames.map((f) => f.seq)).toEqual([7]);
    expect(errors.map((e) => e.discarded)).toEqual([3]);
    parser.push(Uint8Array.of(0x11, 0x22));
    now = 1000;
    parser.push(Uint8Array.of(0x33, 0x44, 0));
    expect(frames).toHaveLength(1);
    expect(errors).toHaveLength(2);
  });

  it('makes room for a frame after a pause when the stale bytes before it fill the buffer', () => {
    let now = 0;
    const { parser, frames, errors } = collect({ now: () => now, interByteTimeoutMs: 50 });
    parser.push(new Uint8Array(maxEncodedSize(MAX_FRAME_SIZE) - 3).fill(0x41));
    now = 100;
    parser.push(wire.subarray(1));
    expect(frames.map((f) => f.seq)).toEqual([7]);
    expect(errors.map((e) => e.code)).toEqual(['FRAME_MALFORMED']);
  });

  it('accepts the largest frame (515 COBS bytes between the delimiters) and nothing longer', () => {
    expect(maxEncodedSize(MAX_FRAME_SIZE)).toBe(515);
    // No zero byte anywhere (non-zero status and CRC), so COBS adds its maximum.
    const largest: Frame = {
      kind: FrameKind.response,
      seq: 1,
      command: Command.ping,
      status: 4,
      body: new Uint8Array(MAX_FRAME_SIZE - 7).fill(0x41),
    };
    const bytes = encodeFrame(largest);
    expect(bytes.length).toBe(517);
    const { parser, frames, errors } = collect();
    parser.push(bytes);
    expect(errors).toEqual([]);
    expect(frames).toEqual([largest]);
    parser.push(Uint8Array.from([0, ...new Uint8Array(516).fill(0x41), 0]));
    expect(errors.map((e) => [e.code, e.discarded])).toEqual([['FRAME_TOO_LARGE', 516]]);
  });

  it('reports an unknown frame kind as malformed', () => {
    const raw = frameBytes(ping(1));
    raw[1] = 0x09;
    const crc = crc16(raw, 0, raw.length - 2);
    raw[raw.length - 2] = crc >> 8;
    raw[raw.length - 1] = crc & 0xff;
    const result = decodeFrame(cobsEncode(raw));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.code).toBe('FRAME_MALFORMED');
  });
});

describe('records', () => {
  it('round-trips every value type and keeps order', () => {
    const records: Array<[string, string | number | boolean]> = [
      ['b', true],
      ['i', -42],
      ['f', 93.2],
      ['s', 'Entkalkung nötig'],
    ];
    const decoded = decodeRecords(encodeRecords(records));
    expect(decoded.ok && decoded.value).toEqual(records);
  });
  it('rejects truncated bodies and unknown tags with FRAME_MALFORMED', () => {
    const body = encodeRecords([['temp', 92.5]]);
    for (const broken of [body.subarray(0, body.length - 1), Uint8Array.of(1, 0x61, 0x7a)]) {
      const r = decodeRecords(broken);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.code).toBe('FRAME_MALFORMED');
    }
  });
});
