import { ErrorCode } from '@touchpoint/protocol';
import { DEFAULT_INTER_BYTE_TIMEOUT_MS, DELIMITER, MAX_FRAME_SIZE, maxEncodedSize } from './constants.js';
import { decodeFrame, type Frame } from './frame.js';

export interface FramingError {
  code: typeof ErrorCode.FRAME_CRC | typeof ErrorCode.FRAME_TOO_LARGE | typeof ErrorCode.FRAME_MALFORMED | typeof ErrorCode.FRAME_VERSION;
  reason: string;
  /** How many bytes were discarded. */
  discarded: number;
}

export interface ParserOptions {
  maxFrameSize?: number;
  /** A partial frame older than this (no byte in between) is dropped before new bytes are read. 0 disables. */
  interByteTimeoutMs?: number;
  onFrame(frame: Frame): void;
  onError(error: FramingError): void;
  /** Injectable clock for tests. */
  now?: () => number;
}

/**
 * Streaming frame parser. Bytes accumulate until a 0x00 delimiter, then the block is COBS-decoded and checked.
 * Resynchronisation is free: any garbage ends at the next delimiter and is reported as one framing error.
 * Pure (no timers): the inter-byte timeout is checked against the clock when the next chunk arrives.
 */
export class FrameParser {
  private readonly maxEncoded: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private buffer: Uint8Array;
  private length = 0;
  /** Set after an oversize block: skip bytes until the next delimiter. */
  private discarding = false;
  private discardedCount = 0;
  private lastByteAt = 0;

  constructor(private readonly options: ParserOptions) {
    this.maxEncoded = maxEncodedSize(options.maxFrameSize ?? MAX_FRAME_SIZE);
    this.timeoutMs = options.interByteTimeoutMs ?? DEFAULT_INTER_BYTE_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
    this.buffer = new Uint8Array(this.maxEncoded);
  }

  push(chunk: Uint8Array): void {
    const now = this.now();
    if (this.timeoutMs > 0 && (this.length > 0 || this.discarding) && now - this.lastByteAt > this.timeoutMs) {
      this.reset(`inter-byte timeout: partial frame idle for ${now - this.lastByteAt} ms`);
    }
    this.lastByteAt = now;
    for (const byte of chunk) {
      if (byte === DELIMITER) {
        this.endBlock();
        continue;
      }
      if (this.discarding) {
        this.discardedCount++;
        continue;
      }
      if (this.length === this.maxEncoded) {
        this.discarding = true;
        this.discardedCount = this.length + 1;
        this.length = 0;
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
    this.discarding = false;
  }

  private endBlock(): void {
    if (this.discarding) {
      this.reportOversize();
      this.discarding = false;
      return;
    }
    if (this.length === 0) return; // idle delimiter between frames
    const block = this.buffer.slice(0, this.length);
    this.length = 0;
    const result = decodeFrame(block);
    if (result.ok) this.options.onFrame(result.value);
    else this.options.onError({ code: result.code as FramingError['code'], reason: result.reason, discarded: block.length });
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
