import { ErrorCode, TouchpointError } from '@touchpoint/protocol';
import { FrameKind, commandName } from '../frame/constants.js';
import type { Frame } from '../frame/frame.js';

export interface WaitressOptions {
  /** Encodes and writes one request frame; rejects when the write fails. */
  send(frame: Frame): Promise<void>;
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** Extra attempts after the first one times out (same seq, so the MCU can replay its answer). */
  retries: number;
  /** Requests on the wire at once; more wait in FIFO order. */
  maxInFlight: number;
  warn(message: string): void;
}

export interface WaitressStats {
  timeouts: number;
  retries: number;
  unexpectedSeq: number;
}

interface Pending {
  frame: Frame;
  resolve(frame: Frame): void;
  reject(error: Error): void;
  attemptTimer?: NodeJS.Timeout;
}

/**
 * Matches responses to requests by sequence number (zigbee-herdsman's "waitress"). Guarantees: every request
 * settles within timeoutMs * (retries + 1) counted from the call, queue time included; a response nobody waits
 * for is counted and logged, never delivered to the wrong caller.
 */
export class Waitress {
  readonly stats: WaitressStats = { timeouts: 0, retries: 0, unexpectedSeq: 0 };
  private readonly pending = new Map<number, Pending>();
  private readonly queue: Array<() => void> = [];
  // A random start keeps a restarted host from reusing the seq of its previous session's last request.
  private nextSeq = Math.floor(Math.random() * 256);

  constructor(private readonly options: WaitressOptions) {}

  get inFlight(): number {
    return this.pending.size;
  }

  async request(
    command: number,
    body: Uint8Array,
    overrides: { timeoutMs?: number; retries?: number } = {},
  ): Promise<Frame> {
    const timeoutMs = overrides.timeoutMs ?? this.options.timeoutMs;
    const retries = overrides.retries ?? this.options.retries;
    const deadline = Date.now() + timeoutMs * (retries + 1);
    await this.acquireSlot(deadline, command);
    const seq = this.allocateSeq();
    const frame: Frame = { kind: FrameKind.request, seq, command, status: 0, body };
    try {
      return await new Promise<Frame>((resolve, reject) => {
        const entry: Pending = { frame, resolve, reject };
        this.pending.set(seq, entry);
        this.attempt(entry, 0, retries, timeoutMs, deadline);
      });
    } finally {
      this.releaseSlot();
    }
  }

  /** Delivers a response; returns false (and counts it) when no request waits for its seq and command. */
  handleResponse(frame: Frame): boolean {
    const entry = this.pending.get(frame.seq);
    if (!entry || entry.frame.command !== frame.command) {
      this.stats.unexpectedSeq++;
      this.options.warn(
        `${ErrorCode.UNEXPECTED_SEQ}: response ${commandName(frame.kind, frame.command)} seq ${frame.seq} matches no pending request (total ${this.stats.unexpectedSeq})`,
      );
      return false;
    }
    this.settle(frame.seq, entry);
    entry.resolve(frame);
    return true;
  }

  /** Rejects everything in flight or queued, e.g. when the link goes down. */
  rejectAll(error: TouchpointError): void {
    for (const [seq, entry] of [...this.pending]) {
      this.settle(seq, entry);
      entry.reject(error);
    }
  }

  private attempt(entry: Pending, attempt: number, retries: number, timeoutMs: number, deadline: number): void {
    const seq = entry.frame.seq;
    if (attempt > 0) this.stats.retries++;
    this.options.send(entry.frame).catch((err: unknown) => {
      if (this.pending.get(seq) !== entry) return;
      this.settle(seq, entry);
      entry.reject(
        err instanceof TouchpointError
          ? err
          : new TouchpointError(ErrorCode.LINK_DOWN, `write failed: ${(err as Error).message}`),
      );
    });
    const wait = Math.max(1, Math.min(timeoutMs, deadline - Date.now()));
    entry.attemptTimer = setTimeout(() => {
      if (this.pending.get(seq) !== entry) return;
      if (attempt < retries && Date.now() < deadline) {
        this.attempt(entry, attempt + 1, retries, timeoutMs, deadline);
        return;
      }
      this.stats.timeouts++;
      this.settle(seq, entry);
      entry.reject(
        new TouchpointError(
          ErrorCode.MCU_TIMEOUT,
          `no response to ${commandName(FrameKind.request, entry.frame.command)} (seq ${seq}) after ${attempt + 1} attempt(s) of ${timeoutMs} ms`,
        ),
      );
    }, wait);
  }

  private settle(seq: number, entry: Pending): void {
    clearTimeout(entry.attemptTimer);
    this.pending.delete(seq);
  }

  private allocateSeq(): number {
    // At most maxInFlight (< 256) seqs are taken, so this loop ends quickly.
    while (this.pending.has(this.nextSeq)) this.nextSeq = (this.nextSeq + 1) & 0xff;
    const seq = this.nextSeq;
    this.nextSeq = (this.nextSeq + 1) & 0xff;
    return seq;
  }

  private busy = 0;

  private async acquireSlot(deadline: number, command: number): Promise<void> {
    if (this.busy < this.options.maxInFlight) {
      this.busy++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        clearTimeout(timer);
        this.busy++;
        resolve();
      };
      const timer = setTimeout(
        () => {
          const index = this.queue.indexOf(grant);
          if (index >= 0) this.queue.splice(index, 1);
          this.stats.timeouts++;
          reject(
            new TouchpointError(
              ErrorCode.MCU_TIMEOUT,
              `${commandName(FrameKind.request, command)} waited in the queue past its deadline (${this.options.maxInFlight} requests in flight)`,
            ),
          );
        },
        Math.max(1, deadline - Date.now()),
      );
      this.queue.push(grant);
    });
  }

  private releaseSlot(): void {
    this.busy--;
    this.queue.shift()?.();
  }
}
