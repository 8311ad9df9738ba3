import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { ErrorCode, type LiveEvent } from '@touchpoint/protocol';
import type { Fleet } from '../fleet/fleet.js';
import { deviceHealthOf } from '../fleet/health.js';
import type { Logger } from '../logger.js';
import type { Counters } from '../counters.js';
import type { Authed } from './authed.js';
import { HttpError } from './errors.js';
import { setSecurityHeaders } from './security-headers.js';

interface Stream {
  res: ServerResponse;
  /** The staff member and login behind the stream; null for a phone in a video call (it holds a phone key). */
  staffId: string | null;
  token: string | null;
  /** null: the fleet-wide stream; otherwise one device's stream. */
  device: string | null;
  /** Set on a stream fed by another source (a video call), which gets none of the hub's own events. */
  feed?: FeedCheck;
}

/** Whether a fed stream may go on; asked before every event and heartbeat (issue 12, item 5). */
interface FeedCheck {
  stillAllowed(): boolean;
  /** Called once, after the stream ended because `stillAllowed` said no. */
  onRevoked?: (() => void) | undefined;
  revoked: boolean;
}

/** A stream that carries another service's events (one video call's) through the hub's machinery. */
export interface Feed {
  /** Who may read it: a staff login (ends with it, counts against its stream cap), or null (a phone). */
  owner: Pick<Authed, 'staff' | 'token'> | null;
  stillAllowed(): boolean;
  onRevoked?: (() => void) | undefined;
  /**
   * Starts the events: `send` writes one (its id is the source's, for Last-Event-ID), `close` ends the
   * stream from the source's side. Returns the unsubscribe, called when the stream ends.
   */
  subscribe(send: (id: number, data: unknown) => void, close: () => void): () => void;
}

interface Buffered {
  seq: number;
  /**
   * The event as sent, serialised once, when a stream first needs it: a diagnostics snapshot for every
   * stored message would otherwise be stringified even with no console open (7% of the broker's CPU at
   * full ingest). Until then `event` holds it, and `size` is its wire size as the device sent it.
   */
  data?: string;
  event?: LiveEvent;
  /** Bytes the backlog's byte bound counts: the serialised length, or the device's payload length until serialised. */
  size: number;
  deviceId: string | null;
  /** Fleet-wide streams get this event too. */
  fleetWide: boolean;
  /** Only this staff member's streams get it. */
  staffId?: string;
  /** Every stream gets it, fleet-wide and per device (a resync). */
  everyStream?: true;
}

export interface LiveHubOptions {
  /** Comment lines that keep proxies from closing an idle stream and notice dead sessions. */
  heartbeatMs: number;
  /** Events kept for resuming after a reconnect (Last-Event-ID). */
  backlog: number;
  /** ...and their size at most, so one device's large snapshots cannot pin memory (issue 12 #9). */
  maxBacklogBytes: number;
  /** A stream whose socket buffers more than this is closed; the client reconnects and resumes. */
  maxBufferedBytes: number;
  maxStreamsPerSession: number;
}

export const DEFAULT_LIVE_OPTIONS: LiveHubOptions = {
  heartbeatMs: 15_000,
  backlog: 2_000,
  maxBacklogBytes: 8 * 1024 * 1024,
  maxBufferedBytes: 1024 * 1024,
  maxStreamsPerSession: 8,
};

/**
 * The console's live channel: server-sent events fed by the fleet's LiveBus.
 * Each event gets an id `<epoch>-<seq>`; a reconnecting EventSource sends the
 * last id back and gets what it missed from a bounded backlog, or `resumed:
 * false` (refetch) when the backlog no longer reaches that far or the broker
 * restarted.
 */
export class LiveHub {
  private readonly epoch = randomBytes(4).toString('hex');
  private seq = 0;
  private readonly backlog: Buffered[] = [];
  private backlogSize = 0;
  private readonly streams = new Set<Stream>();
  private readonly healthKey = new Map<string, string>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly fleet: Fleet,
    private readonly log: Logger,
    private readonly options: LiveHubOptions = DEFAULT_LIVE_OPTIONS,
    private readonly counters?: Counters,
  ) {
    const live = fleet.live;
    live.on('presence', (e) => this.publish({ type: 'presence', ...e }, e.deviceId, true));
    live.on('diagnostics', (d, bytes) => {
      this.publish({ type: 'diagnostics', deviceId: d.deviceId, diagnostics: d }, d.deviceId, false, undefined, bytes);
      this.watch(this.health(d.deviceId, d.mcu.errors, d.agent.link));
    });
    live.on('event', (e) => {
      this.publish({ type: 'device-event', deviceId: e.deviceId, at: e.at, event: e.event }, e.deviceId, false);
      if (e.event.type !== 'help' && e.event.type !== 'video')
        this.watch(
          fleet.devices.get(e.deviceId).then((device) => device && this.health(device.id, device.errors, device.link)),
        );
    });
    live.on('help', (e) => this.publish({ type: 'help', ...e }, e.deviceId, false));
    live.on('case', (e) => this.publish({ type: 'case', ...e }, e.deviceId, true));
    // The live chat (issue 17): the device's stream and the fleet-wide one (the case view listens there).
    live.on('chat', (e) => this.publish({ type: 'chat', ...e }, e.deviceId, true));
    // Cluster mode: this process may have missed events (issue 15, docs/scale-out.md "The live channel").
    live.on('gap', (e) => this.publish({ type: 'resync', reason: e.reason }, null, true, undefined, undefined, true));
    // Logout, disable, role change, password reset or change: the member's streams end now, not at the next heartbeat (issue 12, item 5).
    fleet.staff.onSessionsEnded((e) => {
      for (const s of this.streams)
        if (s.staffId === e.staffId && (e.token === undefined || s.token === e.token)) s.res.end();
    });
    live.on('command', (e) =>
      this.publish(
        {
          type: 'command',
          commandId: e.commandId,
          deviceId: e.deviceId,
          status: e.status,
          ...(e.code ? { code: e.code } : {}),
          ...(e.reason ? { reason: e.reason } : {}),
        },
        e.deviceId,
        true,
      ),
    );
  }

  get size(): number {
    return this.streams.size;
  }

  /** The id of the newest event (what a stream that is up to date last saw). */
  get lastEventId(): string {
    return `${this.epoch}-${this.seq}`;
  }

  /** Bytes of serialised events held for resuming streams. */
  get backlogBytes(): number {
    return this.backlogSize;
  }

  /** Opens an event stream for a staff session; `device` narrows it to one device's detail events. */
  attach(req: IncomingMessage, res: ServerResponse, auth: Authed, device: string | null): void {
    let resumed = false;
    let replay: Buffered[] = [];
    const last = /^([0-9a-f]{8})-(\d+)$/.exec(String(req.headers['last-event-id'] ?? ''));
    if (last && last[1] === this.epoch) {
      const after = Number(last[2]);
      const oldest = this.backlog[0]?.seq ?? this.seq + 1;
      // Resumable when nothing after `after` has been dropped from the backlog.
      if (after >= oldest - 1 && after <= this.seq) {
        resumed = true;
        replay = this.backlog.filter((b) => b.seq > after);
      }
    }
    setSecurityHeaders(res, 'api');
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);
    const stream: Stream = { res, staffId: auth.staff.id, token: auth.token, device };
    this.streams.add(stream);
    res.on('close', () => this.detach(stream));
    // The browser waits this long before reconnecting; the client adds its own backoff on top.
    res.write('retry: 1500\n\n');
    this.write(
      stream,
      `${this.epoch}-${this.seq}`,
      JSON.stringify({ type: 'hello', streamId: `${this.epoch}-${this.seq}`, device, resumed, at: Date.now() }),
    );
    for (const b of replay) if (this.wants(stream, b)) this.write(stream, `${this.epoch}-${b.seq}`, serialised(b));
    this.startHeartbeat();
  }

  /**
   * Opens a stream whose events come from `feed` (a video call's, numbered by the call), with what every
   * hub stream gets: heartbeat, slow-client drop, end at logout or expiry, and the feed's own check before
   * every event and heartbeat, failing closed.
   */
  attachFeed(req: IncomingMessage, res: ServerResponse, feed: Feed): void {
    // A staff login's fed streams count against the same cap as its live streams (thrown before any byte is sent).
    if (feed.owner && this.streamsOf(feed.owner.token) >= this.options.maxStreamsPerSession) {
      throw new HttpError(
        ErrorCode.RATE_LIMITED,
        `at most ${this.options.maxStreamsPerSession} live streams per session`,
      );
    }
    setSecurityHeaders(res, 'api');
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);
    const check: FeedCheck = { stillAllowed: () => feed.stillAllowed(), onRevoked: feed.onRevoked, revoked: false };
    const stream: Stream = {
      res,
      staffId: feed.owner?.staff.id ?? null,
      token: feed.owner?.token ?? null,
      device: null,
      feed: check,
    };
    this.streams.add(stream);
    let unsubscribe: (() => void) | undefined;
    res.on('close', () => {
      this.detach(stream);
      unsubscribe?.();
    });
    res.write('retry: 2000\n\n');
    try {
      unsubscribe = feed.subscribe(
        (id, data) => {
          if (this.allowed(stream)) this.write(stream, String(id), JSON.stringify(data));
        },
        () => res.end(),
      );
    } catch (err) {
      // The headers are out: the only answer left is to end the stream (its source is gone).
      this.log.error('live stream: its source failed', { code: 'INTERNAL', reason: (err as Error).message });
      res.destroy();
      return;
    }
    this.startHeartbeat();
  }

  private startHeartbeat(): void {
    this.heartbeat ??= setInterval(() => this.tick(), this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** A fed stream's check; once it says no (or throws: fail closed) the stream ends and the feed is told once. */
  private allowed(s: Stream): boolean {
    const check = s.feed;
    if (!check) return true;
    if (check.revoked) return false;
    let ok: boolean;
    try {
      ok = check.stillAllowed();
    } catch (err) {
      this.log.error('live stream: the access check failed', { code: 'INTERNAL', reason: (err as Error).message });
      ok = false;
    }
    if (ok) return true;
    check.revoked = true;
    s.res.end();
    try {
      check.onRevoked?.();
    } catch (err) {
      this.log.error('live stream: ending what the stream was for failed', {
        code: 'INTERNAL',
        reason: (err as Error).message,
      });
    }
    return false;
  }

  /** Streams of this session open beyond the cap are refused (429). */
  streamsOf(token: string): number {
    let n = 0;
    for (const s of this.streams) if (s.token === token) n++;
    return n;
  }

  private detach(stream: Stream): void {
    this.streams.delete(stream);
    if (this.streams.size === 0 && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  private tick(): void {
    for (const s of this.streams) {
      // An expired session ends the stream (ended sessions were closed when they ended); a fed stream's own
      // check covers its session and tells its source (a call started from an expired login ends).
      if (s.feed ? !this.allowed(s) : !this.fleet.staff.session(s.token!)) {
        s.res.end();
        continue;
      }
      s.res.write(': ping\n\n');
    }
  }

  /** A health update that failed to read the device is logged, never thrown out of a live listener. */
  private watch(pending: Promise<unknown>): void {
    pending.catch((err: unknown) =>
      this.log.error('device health update failed', { code: 'INTERNAL', reason: (err as Error).message }),
    );
  }

  private async health(deviceId: string, errors: readonly string[], link: string | null): Promise<void> {
    // Health follows only from errors and link (the model never changes), so an unchanged pair costs no lookup:
    // this runs for every stored diagnostics message.
    const key = `${[...errors].sort().join(',')}|${link ?? ''}`;
    if (this.healthKey.get(deviceId) === key) return;
    this.healthKey.set(deviceId, key);
    // Known models answer at once (no await), so the health event follows its diagnostics in order.
    const model = this.fleet.devices.knownModel(deviceId) ?? (await this.fleet.devices.modelOf(deviceId));
    const health = deviceHealthOf(errors, link, model ? this.fleet.profiles.get(model) : undefined, true);
    const linkState = link === 'up' || link === 'down' || link === 'reopening' ? link : null;
    this.publish({ type: 'health', deviceId, errors: [...errors], link: linkState, health }, deviceId, true);
  }

  /** `wireBytes`: the size of a large event as it arrived, so it need not be serialised unless a stream wants it. */
  private publish(
    event: LiveEvent,
    deviceId: string | null,
    fleetWide: boolean,
    staffId?: string,
    wireBytes?: number,
    everyStream?: true,
  ): void {
    const lazy = wireBytes !== undefined;
    const data = lazy ? undefined : JSON.stringify(event);
    const b: Buffered = {
      seq: ++this.seq,
      ...(lazy ? { event } : { data }),
      size: data?.length ?? wireBytes ?? 0,
      deviceId,
      fleetWide,
      ...(staffId ? { staffId } : {}),
      ...(everyStream ? { everyStream } : {}),
    };
    this.backlog.push(b);
    this.backlogSize += b.size;
    // Bounded by count and by bytes; a stream that asks for an evicted event gets `resumed: false` and refetches.
    while (
      this.backlog.length > this.options.backlog ||
      (this.backlogSize > this.options.maxBacklogBytes && this.backlog.length > 1)
    ) {
      this.backlogSize -= this.backlog.shift()!.size;
    }
    for (const s of this.streams) if (this.wants(s, b)) this.write(s, `${this.epoch}-${b.seq}`, serialised(b));
  }

  private wants(s: Stream, b: Buffered): boolean {
    if (s.feed) return false;
    if (b.everyStream) return true;
    if (b.staffId !== undefined && b.staffId !== s.staffId) return false;
    return s.device === null ? b.fleetWide : b.deviceId === s.device;
  }

  private write(s: Stream, id: string, data: string): void {
    if (s.res.destroyed) return;
    // A client that does not read is dropped before its buffer passes the bound, not after: the client
    // reconnects and resumes from the backlog (or refetches).
    if (s.res.writableLength + data.length > this.options.maxBufferedBytes) {
      this.counters?.inc('live.slow_client_dropped');
      this.log.warn('live stream too slow, closed', { staffId: s.staffId, code: 'RATE_LIMITED' });
      s.res.destroy();
      return;
    }
    s.res.write(`id: ${id}\ndata: ${data}\n\n`);
  }
}

/** The event's wire form, made once on first use; the parsed event is then dropped. */
function serialised(b: Buffered): string {
  if (b.data === undefined) {
    b.data = JSON.stringify(b.event);
    delete b.event;
  }
  return b.data;
}
