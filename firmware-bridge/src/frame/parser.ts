import { ErrorCode } from '@touchpoint/protocol';
import {
  DEFAULT_INTER_BYTE_TIMEOUT_MS,
  DELIMITER,
  MAX_FRAME_SIZE,
  MAX_PAUSE_MARKS,
  maxEncodedSize,
} from './constants.js';
import { decodeFrame, type Frame } from './frame.js';

export interface FramingError {
  code:
    | typeof ErrorCode.FRAME_CRC
    | typeof ErrorCode.FRAME_TOO_LARGE
    | typeof ErrorCode.FRAME_MALFORMED
    | typeof ErrorCode.FRAME_VERSION;
  reason: string;
  /** How many bytes were discarded. */
  discarded: number;
}

export interface ParserOptions {
  maxFrameSize?: number;
  /**
   * A gap longer than this (no byte in between) inside a partial frame marks a possible frame boundary; it never
   * drops bytes by itself (see FrameParser). 0 disables the marks.
   */
  interByteTimeoutMs?: number;
  onFrame(frame: Frame): void;
  onError(error: FramingError): void;
  /** Injectable clock for tests. */
  now?: () => number;
}

export interface ParserStats {
  /** Frames that checked out although a pause longer than the inter-byte timeout split them (a stalled host). */
  pausedFrames: number;
}

interface PauseMark {
  /** Bytes of the block received before the pause. */
  offset: number;
  pauseMs: number;
}

/**
 * Streaming frame parser. Bytes accumulate until a 0x00 delimiter, then the block is COBS-decoded and checked.
 * Resynchronisation happens on delimiters only: any garbage ends at the next delimiter and is reported as one
 * framing error. Pure (no timers).
 *
 * A pause inside a block is measured when bytes reach the host, so it says as much about a stalled host as
 * about the sender (issue 13: a valid frame arrived in two pieces 217 ms apart at load average 9). A pause
 * therefore only *marks* a possible boundary: at the delimiter the whole block is tried first and delivered when
 * it checks out (COBS, length, CRC); only if it does not, the bytes after each mark are tried, which recovers a
 * frame whose sender omitted the leading delimiter after an abandoned partial frame.
 */
export class FrameParser {
  private readonly maxEncoded: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly buffer: Uint8Array;
  private length = 0;
  private marks: PauseMark[] = [];
  /** Set after an oversize block: skip bytes until the next delimiter. */
  private discarding = false;
  private discardedCount = 0;
  private lastByteAt = 0;
  private readonly counters: ParserStats = { pausedFrames: 0 };

  constructor(private readonly options: ParserOptions) {
    this.maxEncoded = maxEncodedSize(options.maxFrameSize ?? MAX_FRAME_SIZE);
    this.timeoutMs = options.interByteTimeoutMs ?? DEFAULT_INTER_BYTE_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
    this.buffer = new Uint8Array(this.maxEncoded);
  }

  get stats(): Readonly<ParserStats> {
    return { ...this.counters };
  }

  push(chunk: Uint8Array): void {
    const now = this.now();
    const pause = now - this.lastByteAt;
    this.lastByteAt = now;
    if (this.timeoutMs > 0 && pause > this.timeoutMs) this.markPause(pause);
    for (const byte of chunk) {
      if (byte === DELIMITER) {
        this.endBlock();
        continue;
      }
      if (this.discarding) {
        this.discardedCount++;
        continue;
      }
      if (this.length === this.maxEncoded && !this.dropBeforeLastMark()) {
        this.discarding = true;
        this.discardedCount = this.length + 1;
        this.length = 0;
        this.marks = [];
        continue;
      }
      this.buffer[this.length++] = byte;
    }
  }

  /** Drops a partial frame (e.g. when the port closes). */
  reset(reason = 'reset'): void {
    if (this.discarding) this.reportOversize();
    else if (this.length > 0) this.options.onError({ code: ErrorCode.FRAME_MALFORMED, reason, discarded: this.length });
    this.length = 0;
    this.marks = [];
    this.discarding = false;
  }

  private markPause(pauseMs: number): void {
    if (this.discarding) {
      // An oversize block that paused: what follows may be a frame without its leading delimiter.
      this.reportOversize();
      this.discarding = false;
      return;
    }
    if (this.length === 0) return;
    this.marks.push({ offset: this.length, pauseMs });
    if (this.marks.length > MAX_PAUSE_MARKS) this.marks.shift();
  }

  /** The buffer is full: bytes before the last pause cannot belong to the frame being received now. */
  private dropBeforeLastMark(): boolean {
    const mark = this.marks.at(-1);
    if (!mark) return false;
    this.reportPrefix(mark);
    this.buffer.copyWithin(0, mark.offset, this.length);
    this.length -= mark.offset;
    this.marks = [];
    return true;
  }

  private endBlock(): void {
    if (this.discarding) {
      this.reportOversize();
      this.discarding = false;
      return;
    }
    const marks = this.marks;
    this.marks = [];
    if (this.length === 0) return; // idle delimiter between frames
    const block = this.buffer.slice(0, this.length);
    this.length = 0;
    const whole = decodeFrame(block);
    if (whole.ok) {
      if (marks.length > 0) this.counters.pausedFrames++;
      this.options.onFrame(whole.value);
      return;
    }
    for (const mark of marks) {
      const rest = decodeFrame(block.subarray(mark.offset));
      if (rest.ok) {
        this.reportPrefix(mark);
        this.options.onFrame(rest.value);
        return;
      }
    }
    this.options.onError({ code: whole.code as FramingError['code'], reason: whole.reason, discarded: block.length });
  }

  private reportPrefix(mark: PauseMark): void {
    this.options.onError({
      code: ErrorCode.FRAME_MALFORMED,
      reason: `inter-byte timeout: ${mark.offset} bytes before a ${mark.pauseMs} ms pause did not complete a frame`,
      discarded: mark.offset,
    });
  }

  private reportOversize(): void {
    this.options.onError({
      code: ErrorCode.FRAME_TOO_LARGE,
      reason: `more than ${this.maxEncoded} bytes without a delimiter`,
      discarded: this.discardedCount,
    });
    this.discardedCount = 0;
  }
}
