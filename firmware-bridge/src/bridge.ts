import type { BindingInterface } from '@serialport/bindings-cpp';
import {
  ErrorCode,
  TouchpointError,
  actionParamsSchema,
  describeIssues,
  findAction,
  type DeviceProfile,
  type LinkState,
  type Logger,
  type McuInfo,
  type SensorValue,
  withParamDefaults,
} from '@touchpoint/protocol';
import { createProcessLogger, SafeEventEmitter, stderrSink } from '@touchpoint/runtime';
import {
  decodeErrors,
  decodeEventSeq,
  decodeInfo,
  decodeSensors,
  encodeRunAction,
  recordsOf,
  statusError,
} from './commands/codecs.js';
import { decodeEvent, type McuEvent } from './commands/events.js';
import { Command, FrameKind, Status, commandName } from './frame/constants.js';
import { encodeFrame, type Frame } from './frame/frame.js';
import { FrameParser } from './frame/parser.js';
import { encodeRecords } from './frame/records.js';
import { ErrorLedger } from './session/error-ledger.js';
import { EventSequence } from './session/event-sequence.js';
import { Waitress } from './session/waitress.js';
import { SerialTransport } from './transport/serial-transport.js';

export type { McuEvent } from './commands/events.js';

/** What the bridge logs with: a protocol Logger, or any object with these three methods. */
export type BridgeLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface BridgeOptions {
  path: string;
  /** Default 115200. */
  baudRate?: number;
  profile: DeviceProfile;
  binding?: BindingInterface;
  /** Per-attempt request timeout, default 500 ms. */
  requestTimeoutMs?: number;
  /** Retries after a timeout, default 2. */
  retries?: number;
  /** Requests on the wire at once, default 4. */
  maxInFlight?: number;
  /** Reopen backoff after an unplug (defaults 250 ms doubling to 5000 ms); pollIntervalMs: device path check (500 ms). */
  reopen?: { initialDelayMs?: number; maxDelayMs?: number; pollIntervalMs?: number };
  /** runAction waits estimatedSeconds * this factor (plus the request budget) for action.done; default 2. */
  actionTimeoutFactor?: number;
  /** Default: warnings and errors to stderr (the runtime's process logger). */
  logger?: BridgeLogger;
}

export interface ActionOutcome {
  ok: boolean;
  reason?: string;
  output?: Record<string, unknown>;
}

export interface BridgeStats {
  framesIn: number;
  framesOut: number;
  framingErrors: number;
  timeouts: number;
  retries: number;
  reopenCount: number;
  unexpectedSeq: number;
  badEvents: number;
  /** Frames that checked out although the host saw a pause inside them (a stalled host; issue 13). */
  pausedFrames: number;
  /** Gaps in the MCU's event numbering, and how many events they skipped (docs/serial-protocol.md §4.1). */
  eventGaps: number;
  eventsMissed: number;
  /** error.raised / error.cleared events the bridge emitted because a READ_ERRORS showed lost ones. */
  errorCorrections: number;
}

/** Emitted when the MCU's event numbering skips: `missed` events before the one with `seq` never arrived. */
export interface EventGap {
  missed: number;
  seq: number;
  /** Gaps on this bridge so far, this one included. */
  gaps: number;
}

export interface FirmwareBridge {
  readonly link: LinkState;
  readonly stats: Readonly<BridgeStats>;
  open(): Promise<void>;
  close(): Promise<void>;
  getInfo(): Promise<McuInfo>;
  readSensors(): Promise<Record<string, SensorValue>>;
  readErrors(): Promise<string[]>;
  runAction(
    name: string,
    params: Record<string, unknown>,
    opts?: { onProgress?: (e: { percent: number; message?: string }) => void },
  ): Promise<ActionOutcome>;
  /** Sends PING with an echo body; used by tools and benchmarks. */
  ping(payload?: Uint8Array): Promise<Uint8Array>;
  on(event: 'event', listener: (e: McuEvent) => void): this;
  on(event: 'link', listener: (state: LinkState, reason?: string) => void): this;
  on(event: 'frame', listener: (direction: 'in' | 'out', frame: Frame) => void): this;
  on(event: 'gap', listener: (gap: EventGap) => void): this;
  off(event: 'event', listener: (e: McuEvent) => void): this;
  off(event: 'link', listener: (state: LinkState, reason?: string) => void): this;
  off(event: 'frame', listener: (direction: 'in' | 'out', frame: Frame) => void): this;
  off(event: 'gap', listener: (gap: EventGap) => void): this;
}

interface ActionWaiter {
  onProgress?: (e: { percent: number; message?: string }) => void;
  resolve(outcome: ActionOutcome): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

/** What the bridge emits; FirmwareBridge declares the same events for its users. */
interface BridgeEvents {
  event: [event: McuEvent];
  link: [state: LinkState, reason?: string];
  frame: [direction: 'in' | 'out', frame: Frame];
  gap: [gap: EventGap];
}

/** A listener's exception is logged, never allowed to break the serial pipeline. */
class Bridge extends SafeEventEmitter<BridgeEvents> implements FirmwareBridge {
  private readonly transport: SerialTransport;
  private readonly parser: FrameParser;
  private readonly waitress: Waitress;
  private readonly log: BridgeLogger;
  private readonly counters = {
    framesIn: 0,
    framesOut: 0,
    framingErrors: 0,
    badEvents: 0,
    eventGaps: 0,
    eventsMissed: 0,
  };
  private readonly eventSeq = new EventSequence();
  private readonly ledger = new ErrorLedger((event) => this.emit('event', event));
  private unnumberedLogged = false;
  /** A re-read after a gap is on the wire; `again` asks for one more once it is answered. */
  private resync: { again: boolean } | undefined;
  private readonly actions = new Map<string, ActionWaiter>();
  private readonly timeoutMs: number;
  private readonly retries: number;

  constructor(private readonly options: BridgeOptions) {
    const log = options.logger ?? createProcessLogger('bridge', stderrSink, 'warn');
    super((event, err) =>
      log.error(`"${event}" listener failed: ${(err as Error).stack ?? String(err)}`, { code: 'INTERNAL' }),
    );
    this.log = log;
    this.timeoutMs = options.requestTimeoutMs ?? 500;
    this.retries = options.retries ?? 2;
    this.transport = new SerialTransport({
      path: options.path,
      baudRate: options.baudRate ?? 115200,
      binding: options.binding,
      reopen: options.reopen,
      logger: this.log,
    });
    this.parser = new FrameParser({
      onFrame: (frame) => this.onFrame(frame),
      onError: (error) => {
        this.counters.framingErrors++;
        this.log.warn(
          `${error.code}: ${error.reason} (${error.discarded} bytes dropped, ${this.counters.framingErrors} framing errors so far)`,
        );
      },
    });
    this.waitress = new Waitress({
      send: (frame) => this.send(frame),
      timeoutMs: this.timeoutMs,
      retries: this.retries,
      maxInFlight: options.maxInFlight ?? 4,
      warn: (m) => this.log.warn(m),
    });
    this.transport.on('data', (chunk) => this.parser.push(chunk));
    this.transport.on('link', (state, reason) => this.onLink(state, reason));
  }

  get link(): LinkState {
    return this.transport.state;
  }

  get stats(): Readonly<BridgeStats> {
    const w = this.waitress.stats;
    return {
      ...this.counters,
      timeouts: w.timeouts,
      retries: w.retries,
      unexpectedSeq: w.unexpectedSeq,
      reopenCount: this.transport.reopenCount,
      pausedFrames: this.parser.stats.pausedFrames,
      errorCorrections: this.ledger.corrections,
    };
  }

  async open(): Promise<void> {
    await this.transport.open();
  }

  async close(): Promise<void> {
    await this.transport.close();
    this.failPending(new TouchpointError(ErrorCode.LINK_DOWN, 'bridge closed'));
  }

  async getInfo(): Promise<McuInfo> {
    return decodeInfo(await this.call(Command.getInfo));
  }

  async readSensors(): Promise<Record<string, SensorValue>> {
    return decodeSensors(recordsOf(await this.call(Command.readSensors)), this.options.profile, (m) =>
      this.log.warn(m),
    );
  }

  async readErrors(): Promise<string[]> {
    return decodeErrors(await this.call(Command.readErrors));
  }

  async ping(payload: Uint8Array = new Uint8Array()): Promise<Uint8Array> {
    return (await this.call(Command.ping, payload)).body;
  }

  async runAction(
    name: string,
    params: Record<string, unknown>,
    opts: { onProgress?: (e: { percent: number; message?: string }) => void } = {},
  ): Promise<ActionOutcome> {
    const spec = findAction(this.options.profile, name);
    if (!spec)
      throw new TouchpointError(
        ErrorCode.UNKNOWN_ACTION,
        `profile ${this.options.profile.model} has no action "${name}"`,
      );
    if (spec.target !== 'mcu')
      throw new TouchpointError(ErrorCode.UNKNOWN_ACTION, `action "${name}" runs in the agent, not on the MCU`);
    const parsed = actionParamsSchema(spec).safeParse(params);
    if (!parsed.success)
      throw new TouchpointError(ErrorCode.BAD_PARAMS, `action "${name}": ${describeIssues(parsed.error)}`);
    const body = encodeRunAction(name, withParamDefaults(spec, parsed.data));
    this.assertUp();
    if (this.actions.has(name)) throw new TouchpointError(ErrorCode.CONFLICT, `action "${name}" is already running`);

    // Register before sending: a fast MCU may report action.done before the host has read the response.
    const done = new Promise<ActionOutcome>((resolve, reject) => {
      const waiter: ActionWaiter = { resolve, reject, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) };
      const budget =
        (spec.estimatedSeconds ?? 0) * 1000 * (this.options.actionTimeoutFactor ?? 2) +
        this.timeoutMs * (this.retries + 1) +
        1000;
      waiter.timer = setTimeout(() => {
        this.actions.delete(name);
        reject(
          new TouchpointError(ErrorCode.MCU_TIMEOUT, `action "${name}" did not report completion within ${budget} ms`),
        );
      }, budget);
      this.actions.set(name, waiter);
    });
    let response: Frame;
    try {
      response = await this.waitress.request(Command.runAction, body);
    } catch (err) {
      this.finishAction(name);
      void done.catch(() => undefined);
      throw err;
    }
    if (response.status !== Status.ok) {
      this.finishAction(name);
      void done.catch(() => undefined);
      const error = statusError(response);
      const reason = (error.details as { reason?: unknown }).reason;
      return { ok: false, reason: typeof reason === 'string' ? reason : error.message };
    }
    return done;
  }

  private async call(command: number, body: Uint8Array = new Uint8Array()): Promise<Frame> {
    this.assertUp();
    const response = await this.waitress.request(command, body);
    if (response.status !== Status.ok) throw statusError(response);
    return response;
  }

  private assertUp(): void {
    if (this.transport.state !== 'up')
      throw new TouchpointError(ErrorCode.LINK_DOWN, `serial link to ${this.options.path} is ${this.transport.state}`);
  }

  private async send(frame: Frame): Promise<void> {
    await this.transport.write(encodeFrame(frame));
    this.counters.framesOut++;
    this.emit('frame', 'out', frame);
  }

  private onFrame(frame: Frame): void {
    this.counters.framesIn++;
    this.emit('frame', 'in', frame);
    switch (frame.kind) {
      case FrameKind.response:
        this.observeResponse(frame);
        this.waitress.handleResponse(frame);
        return;
      case FrameKind.event:
        this.onEvent(frame);
        return;
      case FrameKind.request:
        this.log.warn(
          `${ErrorCode.UNKNOWN_COMMAND}: MCU sent a request (${commandName(frame.kind, frame.command)}); the host does not serve requests`,
        );
        return;
    }
  }

  /**
   * Responses that carry MCU state are read here, synchronously at their place in the byte stream, before the
   * caller's continuation runs: an event that follows a response in the same chunk must be applied after it.
   */
  private observeResponse(frame: Frame): void {
    if (frame.status !== Status.ok) return;
    try {
      if (frame.command === Command.subscribe) this.onSubscribed(decodeEventSeq(recordsOf(frame)));
      else if (frame.command === Command.readErrors) this.ledger.observeErrors(decodeErrors(frame));
      else if (frame.command === Command.readSensors && this.ledger.wantsSensors) {
        this.ledger.observeSensors(decodeSensors(recordsOf(frame), this.options.profile, () => undefined));
      }
    } catch {
      // A malformed body fails the caller's own decode with a named error; nothing to observe here.
    }
  }

  private onSubscribed(lastEventSeq: number | undefined): void {
    if (lastEventSeq !== undefined) {
      this.eventSeq.baseline(lastEventSeq);
    } else if (!this.unnumberedLogged) {
      this.unnumberedLogged = true;
      this.log.info(
        `MCU on ${this.options.path} does not number its events (no "event_seq" in the SUBSCRIBE response): a lost event cannot be detected`,
      );
    }
  }

  private onGap(missed: number, seq: number): void {
    this.counters.eventGaps++;
    this.counters.eventsMissed += missed;
    this.log.warn(
      `${ErrorCode.MCU_ERROR}: ${missed} MCU event(s) lost before event seq ${seq} (${this.counters.eventGaps} gaps so far); re-reading errors and sensors`,
    );
    this.ledger.markStale();
    this.emit('gap', { missed, seq, gaps: this.counters.eventGaps } satisfies EventGap);
    this.rereadAfterGap();
  }

  /** The answers are applied by observeResponse; these calls only make the MCU send them. One at a time. */
  private rereadAfterGap(): void {
    if (this.resync) {
      this.resync.again = true; // events lost after the pending answers were written need a later read
      return;
    }
    const resync = { again: false };
    this.resync = resync;
    void Promise.all([this.readErrors(), this.readSensors()])
      .catch((err: unknown) => this.log.warn(`re-reading the MCU after lost events failed: ${(err as Error).message}`))
      .finally(() => {
        this.resync = undefined;
        if (resync.again && this.transport.state === 'up') {
          this.ledger.markStale();
          this.rereadAfterGap();
        }
      });
  }

  private onEvent(frame: Frame): void {
    const missed = this.eventSeq.next(frame.seq);
    if (missed > 0) this.onGap(missed, frame.seq);
    const decoded = decodeEvent(frame);
    if (!decoded.ok) {
      this.counters.badEvents++;
      this.log.warn(`${decoded.code}: ${decoded.reason}`);
      return;
    }
    const event = decoded.value;
    this.ledger.track(event);
    if (event.type === 'progress') {
      this.actions
        .get(event.action)
        ?.onProgress?.({ percent: event.percent, ...(event.message ? { message: event.message } : {}) });
    } else if (event.type === 'action.done') {
      const waiter = this.finishAction(event.action);
      waiter?.resolve({
        ok: event.ok,
        ...(event.reason ? { reason: event.reason } : {}),
        ...(event.output ? { output: event.output } : {}),
      });
    }
    this.emit('event', event);
  }

  private onLink(state: LinkState, reason?: string): void {
    if (state === 'up') {
      this.parser.reset('link reopened');
      this.eventSeq.reset();
      this.ledger.reset();
      // Ask for unsolicited events on every (re)connect: the MCU may have rebooted and forgotten. The response
      // may carry the MCU's event counter (observeResponse); the error list read after it seeds the ledger, or
      // after a reconnect repairs what listeners missed while the link was down.
      this.waitress
        .request(Command.subscribe, encodeRecords([['events', true]]))
        .then(() => this.readErrors())
        .catch((err: unknown) => {
          if (this.transport.state === 'up')
            this.log.warn(`event subscription or the first error read failed: ${(err as Error).message}`);
        });
    } else if (state === 'down') {
      this.failPending(new TouchpointError(ErrorCode.LINK_DOWN, `serial link down${reason ? `: ${reason}` : ''}`));
    }
    this.emit('link', state, reason);
  }

  private failPending(error: TouchpointError): void {
    this.waitress.rejectAll(error);
    for (const name of [...this.actions.keys()]) this.finishAction(name)?.reject(error);
  }

  private finishAction(name: string): ActionWaiter | undefined {
    const waiter = this.actions.get(name);
    if (waiter) {
      clearTimeout(waiter.timer);
      this.actions.delete(name);
    }
    return waiter;
  }
}

export function createBridge(options: BridgeOptions): FirmwareBridge {
  return new Bridge(options);
}
