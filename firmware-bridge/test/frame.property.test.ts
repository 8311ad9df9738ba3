import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameKind } from '../src/frame/constants.js';
import { encodeFrame, type Frame } from '../src/frame/frame.js';
import { FrameParser } from '../src/frame/parser.js';

const frameArb = fc.record({
  kind: fc.constantFrom(FrameKind.request, FrameKind.response, FrameKind.event),
  seq: fc.integer({ min: 0, max: 255 }),
  command: fc.integer({ min: 0, max: 255 }),
  status: fc.integer({ min: 0, max: 255 }),
  body: fc.uint8Array({ maxLength: 300 }),
}) as fc.Arbitrary<Frame>;

/** pauseMs > 0: the clock advances that much before every chunk, as if the host stalled between reads. */
function parseAll(chunks: Uint8Array[], pauseMs = 0): { frames: Frame[]; errors: number } {
  const frames: Frame[] = [];
  let errors = 0;
  let now = 0;
  const parser = new FrameParser({
    onFrame: (f) => frames.push(f),
    onError: () => errors++,
    interByteTimeoutMs: pauseMs > 0 ? 50 : 0,
    now: () => now,
  });
  for (const chunk of chunks) {
    now += pauseMs;
    parser.push(chunk);
  }
  return { frames, errors };
}

/** Splits bytes at arbitrary points, like a UART driver delivering whatever it has. */
const chunked = (bytes: Uint8Array, cuts: number[]): Uint8Array[] => {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let last = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(last, p));
    last = p;
  }
  return out;
};

describe('FrameParser properties', () => {
  it('never throws on random garbage and never yields a frame that was not sent', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 8 }), (chunks) => {
        const { frames } = parseAll(chunks);
        expect(frames).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('delivers valid frames interleaved with noise exactly once, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 64 }), frameArb), { minLength: 1, maxLength: 12 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (pairs, tail, cuts) => {
          const bytes = Uint8Array.from(
            pairs.flatMap(([noise, frame]) => [...noise, ...encodeFrame(frame)]).concat([...tail]),
          );
          const { frames } = parseAll(chunked(bytes, cuts));
          expect(frames).toEqual(pairs.map(([, frame]) => frame));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('delivers the same frames when every chunk arrives after a pause longer than the inter-byte timeout', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 64 }), frameArb), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (pairs, cuts) => {
          const bytes = Uint8Array.from(pairs.flatMap(([noise, frame]) => [...noise, ...encodeFrame(frame)]));
          const { frames } = parseAll(chunked(bytes, cuts), 300);
          expect(frames).toEqual(pairs.map(([, frame]) => frame));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never yields a frame from garbage that arrives with pauses', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 8 }), (chunks) => {
        expect(parseAll(chunks, 300).frames).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
