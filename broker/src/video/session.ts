import { createHash } from 'node:crypto';
import type { CallOutcome, CallParty, IceServerConfig, VideoSessionView, VideoStreamEvent } from '@touchpoint/protocol';
import type { StaffMember } from '../fleet/staff.js';

export type Audience = 'console' | 'phone';

/** What calls and streams are tied to: SHA-256 of a staff session's token, so the token itself is never kept. */
export const staffSessionKey = (token: string): string => createHash('sha256').update(token).digest('hex');

/** One event on a session's stream, numbered so a reconnecting stream resumes with Last-Event-ID. */
export interface StreamEntry {
  id: number;
  event: VideoStreamEvent;
}

export type StreamListener = (entry: StreamEntry) => void;

/** A stream the fleet can end from its side: the phone lost its binding, or the staff session behind it ended. */
export interface StreamHandle {
  /** Ends the HTTP response (the client sees its stream close). */
  close(): void;
  /** Which staff login session opened it (SHA-256 of the cookie token); phones have none. */
  staffSession?: string | undefined;
}

const BACKLOG = 200;

/**
 * The fleet's record of one call. Media never passes through here; only its signalling and its facts. The facts
 * are kept in the database (session-store.ts, issue 15); the streams, their backlog and the ring timer are this
 * process's own.
 */
export class VideoSession {
  status: VideoSessionView['status'] = 'ringing';
  peer: VideoSessionView['peer'] = null;
  connectedAt: number | null = null;
  endedAt: number | null = null;
  endedBy: CallParty | null = null;
  outcome: CallOutcome | null = null;
  /** Next sequence number of what the fleet sends down to the device. */
  downSeq = 0;
  /** Highest sequence number accepted from each customer-side sender. */
  readonly upSeq = { device: -1, phone: -1 };
  /** SHA-256 of the bearer key the phone got when it claimed its link; one phone per session (issue 12, item 8). */
  phoneKeyHash: string | null = null;
  /** Phone links issued for this session, capped so a device cannot mint them without end. */
  linksIssued = 0;
  ringTimer: NodeJS.Timeout | undefined;
  private nextEventId = 1;
  private readonly backlog: Record<Audience, StreamEntry[]> = { console: [], phone: [] };
  private readonly listeners: Record<Audience, Map<StreamListener, StreamHandle | undefined>> = {
    console: new Map(),
    phone: new Map(),
  };

  constructor(
    readonly id: string,
    readonly deviceId: string,
    readonly caseId: string | null,
    readonly staff: StaffMember,
    readonly requestedAt: number,
    readonly expiresAt: number,
    readonly iceServers: IceServerConfig[],
    /** Where phones reach this broker (public URL, or the loopback origin the console used); null: no phone links. */
    readonly origin: string | null,
    /** The staff login session that started the call (SHA-256 of its token); the call lives no longer than it (issue 12, item 5). */
    readonly staffSession: string,
    /**
     * The device has a camera: its model's profile says so, and the device's own consent corrects it
     * (device-signals.ts). Without one the console offers the phone instead of an empty picture (issue 16).
     */
    public deviceCamera: boolean,
  ) {}

  get active(): boolean {
    return this.status !== 'ended';
  }

  view(): VideoSessionView {
    return {
      sessionId: this.id,
      deviceId: this.deviceId,
      caseId: this.caseId,
      staffId: this.staff.id,
      staffName: this.staff.displayName,
      status: this.status,
      peer: this.peer,
      requestedAt: this.requestedAt,
      expiresAt: this.expiresAt,
      connectedAt: this.connectedAt,
      // TURN credentials only while the call runs: nobody needs them after it (issue 12, item 2).
      endedAt: this.endedAt,
      endedBy: this.endedBy,
      outcome: this.outcome,
      deviceCamera: this.deviceCamera,
      iceServers: this.active ? this.iceServers : [],
    };
  }

  emit(audience: Audience, event: VideoStreamEvent): void {
    const entry = { id: this.nextEventId++, event };
    const backlog = this.backlog[audience];
    backlog.push(entry);
    if (backlog.length > BACKLOG) backlog.shift();
    for (const listener of [...this.listeners[audience].keys()]) listener(entry);
  }

  /**
   * Sends the current state, replays the signals missed after `lastEventId`
   * (all when 0), then follows live. Old states are not replayed: they would
   * overwrite the current one.
   */
  listen(audience: Audience, lastEventId: number, listener: StreamListener, handle?: StreamHandle): () => void {
    listener({ id: this.nextEventId - 1, event: { type: 'state', session: this.view() } });
    for (const entry of this.backlog[audience])
      if (entry.id > lastEventId && entry.event.type === 'signal') listener(entry);
    this.listeners[audience].set(listener, handle);
    return () => this.listeners[audience].delete(listener);
  }

  /** Forgets what was sent to an audience (a new phone must not replay the signals meant for the one before). */
  clearBacklog(audience: Audience): void {
    this.backlog[audience].length = 0;
  }

  /** Ends the audience's streams (all, or those `which` picks); returns how many were closed. */
  closeStreams(audience: Audience, which: (handle: StreamHandle) => boolean = () => true): number {
    let closed = 0;
    for (const [listener, handle] of [...this.listeners[audience]]) {
      if (!handle || !which(handle)) continue;
      this.listeners[audience].delete(listener);
      handle.close();
      closed++;
    }
    return closed;
  }

  listenerCount(audience: Audience): number {
    return this.listeners[audience].size;
  }
}
