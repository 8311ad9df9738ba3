import { ErrorCode, TouchpointError, type LinkState, type McuInfo, type SensorValue } from '@touchpoint/protocol';
import { createProcessLogger, SafeEventEmitter, stderrSink } from '@touchpoint/runtime';
import { actionRequest } from './commands/action-request.js';
import { decodeErrors, decodeEventSeq, decodeInfo, decodeSensors, recordsOf, statusError } from './commands/codecs.js';
import { decodeEvent, type McuEvent } from './commands/events.js';
import { Command, FrameKind, Status, commandName } from './frame/constants.js';
import { encodeFrame, type Frame } from './frame/frame.js';
import { FrameParser } from './frame/parser.js';
import { encodeRecords } from './frame/records.js';
import type {
  ActionOutcome,
  BridgeLogger,
  BridgeOptions,
  BridgeStats,
  EventGap,
  FirmwareBridge,
} from './bridge-types.js';
import { ActionWaiters } from './session/action-waiters.js';
import { ErrorLedger } from './session/error-ledger.js';
import { EventGapRecovery } from './session/event-gap-recovery.js';
import { Waitress } from './session/waitress.js';
import { SerialTransport } from './transport/serial-transport.js';

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
  };
  private readonly ledger = new ErrorLedger((event) => this.emit('event', event));
  private readonly gapRecovery: EventGapRecovery;
  private readonly actions = new ActionWaiters();
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
    this.gapRecovery = new EventGapRecovery({
      path: options.path,
      log: this.log,
      ledger: this.ledger,
      reread: () => Promise.all([this.readErrors(), this.readSensors()]),
      linkUp: () => this.transport.state === 'up',
      onGap: (gap) => this.emit('gap', gap),
    });
    this.transport.on('data', (chunk) => this.parser.push(chunk));
    this.transport.on('link', (state, reason) => this.onLink(state, reason));
  }

  get link(): LinkState {
    return this.transport.state;
  }

  /**
   * The active error codes as of the last byte parsed. A caller that awaited readErrors() may run after events
   * that followed the response on the wire; this list already has them applied (issue 16: a cleared error came
   * back on the touchscreen from a stale read).
   */
  get activeErrors(): readonly string[] {
    return this.ledger.current;
  }

  get stats(): Readonly<BridgeStats> {
    const w = this.waitress.stats;
    return {
      ...this.counters,
      eventGaps: this.gapRecovery.gaps,
      eventsMissed: this.gapRecovery.missed,
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
    const { spec, body } = actionRequest(this.options.profile, name, params);
    this.assertUp();
    if (this.actions.has(name)) throw new TouchpointError(ErrorCode.CONFLICT, `action "${name}" is already running`);

    // Register before sending: a fast MCU may report action.done before the host has read the response.
    const budget =
      (spec.estimatedSeconds ?? 0) * 1000 * (this.options.actionTimeoutFactor ?? 2) +
      this.timeoutMs * (this.retries + 1) +
      1000;
    const done = this.actions.wait(name, budget, opts.onProgress);
    let response: Frame;
    try {
      response = await this.waitress.request(Command.runAction, body);
    } catch (err) {
      this.actions.forget(name);
      void done.catch(() => undefined);
      throw err;
    }
    if (response.status !== Status.ok) {
      this.actions.forget(name);
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
      if (frame.command === Command.subscribe) this.gapRecovery.subscribed(decodeEventSeq(recordsOf(frame)));
      else if (frame.command === Command.readErrors) this.ledger.observeErrors(decodeErrors(frame));
      else if (frame.command === Command.readSensors && this.ledger.wantsSensors) {
        this.ledger.observeSensors(decodeSensors(recordsOf(frame), this.options.profile, () => undefined));
      }
    } catch {
      // A malformed body fails the caller's own decode with a named error; nothing to observe here.
    }
  }

  private onEvent(frame: Frame): void {
    this.gapRecovery.observe(frame.seq);
    const decoded = decodeEvent(frame);
    if (!decoded.ok) {
      this.counters.badEvents++;
      this.log.warn(`${decoded.code}: ${decoded.reason}`);
      return;
    }
    const event = decoded.value;
    this.ledger.track(event);
    if (event.type === 'progress') {
      this.actions.progress(event.action, {
        percent: event.percent,
        ...(event.message ? { message: event.message } : {}),
      });
    } else if (event.type === 'action.done') {
      this.actions.done(event.action, {
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
      this.gapRecovery.reset();
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
    this.actions.rejectAll(error);
  }
}

export function createBridge(options: BridgeOptions): FirmwareBridge {
  return new Bridge(options);
}
