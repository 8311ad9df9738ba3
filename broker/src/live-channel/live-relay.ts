import { randomBytes } from 'node:crypto';
import {
  LIVE_RELAY_VERSION,
  decode,
  liveRelayMessage,
  type LiveRelayEvent,
  type LiveRelayMessage,
} from '@touchpoint/protocol';
import type { Counters } from '../counters.js';
import type { LiveBus } from '../fleet/live.js';
import { LogThrottle } from '../hooks/log-throttle.js';
import type { Logger } from '../logger.js';

/** Sends one encoded relay message on the live channel; rejects when the engine did not take it. */
export type RelaySend = (payload: Buffer) => Promise<void>;

/**
 * The live channel between processes (issue 15, docs/scale-out.md "The live channel"): what this
 * process's LiveBus announces goes out on the engine (`out`), and what other processes announced comes
 * in and is emitted on this LiveBus (`receive`), so the console's LiveHub on every API process sees
 * every change, wherever it happened. Only what the console shows crosses: a birth (the worker that
 * ingested it resyncs the device), audit entries and call signalling stay in their process.
 */
export class LiveRelay {
  /** One id per process start: a process skips its own events when the fanout hands them back. */
  readonly origin = randomBytes(8).toString('hex');
  /** Set while a received event is emitted: it came from another process and must not go out again. */
  private relaying = false;
  private readonly badLog = new LogThrottle();
  private readonly failLog = new LogThrottle();

  constructor(
    private readonly live: LiveBus,
    private readonly counters: Counters,
    private readonly log: Logger,
  ) {}

  /**
   * True while a received event is emitted on this LiveBus: a listener running now sees another process's
   * event, which that process has already acted on (queued its webhooks, issue 15 with 17). Listeners run
   * synchronously inside emit, so this is exact for them.
   */
  get relayingRemote(): boolean {
    return this.relaying;
  }

  /** Publishes this process's own LiveBus events through `send` until the returned function is called. */
  out(send: RelaySend): () => void {
    const forward = (event: LiveRelayEvent): void => {
      if (this.relaying) return;
      const message: LiveRelayMessage = { v: LIVE_RELAY_VERSION, origin: this.origin, event };
      send(Buffer.from(JSON.stringify(message))).then(
        () => this.counters.inc('live.relay.sent'),
        (err: unknown) => {
          // The console misses this change until its next refetch; the data is stored either way.
          this.counters.inc('live.relay.send_failed');
          const suppressed = this.failLog.admit('send');
          if (suppressed !== undefined)
            this.log.warn('live event not relayed', {
              type: event.type,
              code: 'ENGINE_UNAVAILABLE',
              reason: (err as Error).message,
              ...(suppressed > 0 ? { suppressedSinceLast: suppressed } : {}),
            });
        },
      );
    };
    const offs = [
      this.live.subscribe('presence', (e) => forward({ type: 'presence', ...e })),
      this.live.subscribe('diagnostics', (diagnostics, bytes) => forward({ type: 'diagnostics', diagnostics, bytes })),
      this.live.subscribe('event', (e) => forward({ type: 'event', ...e })),
      this.live.subscribe('help', (e) => forward({ type: 'help', ...e })),
      this.live.subscribe('case', (e) => forward({ type: 'case', ...e })),
      this.live.subscribe('chat', (e) => forward({ type: 'chat', ...e })),
      this.live.subscribe('command', (e) =>
        forward({
          type: 'command',
          commandId: e.commandId,
          deviceId: e.deviceId,
          status: e.status,
          ...(e.code !== undefined ? { code: e.code } : {}),
          ...(e.reason !== undefined ? { reason: e.reason } : {}),
        }),
      ),
    ];
    return () => offs.forEach((off) => off());
  }

  /** One message from the live channel: checked, then emitted on this LiveBus; a bad one is counted and logged, never thrown. */
  receive(payload: Buffer): void {
    const decoded = decode(liveRelayMessage, payload);
    if (!decoded.ok) {
      this.counters.inc(`live.relay.invalid.${decoded.code}`);
      const suppressed = this.badLog.admit(decoded.code);
      if (suppressed !== undefined)
        this.log.warn('live event refused', {
          code: decoded.code,
          reason: decoded.reason,
          ...(suppressed > 0 ? { suppressedSinceLast: suppressed } : {}),
        });
      return;
    }
    const { origin, event } = decoded.value;
    if (origin === this.origin) return;
    this.counters.inc('live.relay.received');
    this.relaying = true;
    try {
      this.emit(event);
    } finally {
      this.relaying = false;
    }
  }

  private emit(event: LiveRelayEvent): void {
    switch (event.type) {
      case 'presence':
        this.live.emit('presence', { deviceId: event.deviceId, online: event.online, at: event.at });
        return;
      case 'diagnostics':
        this.live.emit('diagnostics', event.diagnostics, event.bytes);
        return;
      case 'event':
        this.live.emit('event', { deviceId: event.deviceId, at: event.at, event: event.event });
        return;
      case 'help':
        this.live.emit('help', {
          deviceId: event.deviceId,
          sessionId: event.sessionId,
          flowId: event.flowId,
          entry: event.entry,
        });
        return;
      case 'case':
        this.live.emit('case', {
          caseId: event.caseId,
          deviceId: event.deviceId,
          status: event.status,
          change: event.change,
        });
        return;
      case 'chat': {
        const { type: _type, ...change } = event;
        this.live.emit('chat', change);
        return;
      }
      case 'command':
        this.live.emit('command', {
          commandId: event.commandId,
          deviceId: event.deviceId,
          status: event.status,
          code: event.code,
          reason: event.reason,
        });
        return;
    }
  }
}
