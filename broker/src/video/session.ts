import type { CallOutcome, CallParty, IceServerConfig, VideoSessionView, VideoStreamEvent } from '@touchpoint/protocol';
import type { StaffMember } from '../fleet/staff.js';

export type Audience = 'console' | 'phone';

/** One event on a session's stream, numbered so a reconnecting stream resumes with Last-Event-ID. */
export interface StreamEntry {
  id: number;
  event: VideoStreamEvent;
}

export type StreamListener = (entry: StreamEntry) => void;

const BACKLOG = 200;

/** The fleet's record of one call. Media never passes through here; only its signalling and its facts. */
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
  /** SHA-256 of the bearer key the phone got when it claimed its link. */
  phoneKeyHash: string | null = null;
  ringTimer: NodeJS.Timeout | undefined;
  private nextEventId = 1;
  private readonly backlog: Record<Audience, StreamEntry[]> = { console: [], phone: [] };
  private readonly listeners: Record<Audience, Set<StreamListener>> = { console: new Set(), phone: new Set() };

  constructor(
    readonly id: string,
    readonly deviceId: string,
    readonly caseId: string | null,
    readonly staff: StaffMember,
    readonly requestedAt: number,
    readonly expiresAt: number,
    readonly iceServers: IceServerConfig[],
    /** Where phones reach this broker (public URL, or the origin the console used); the phone link starts with it. */
    readonly origin: string,
  ) {}

  get active(): boolean {
    return this.status !== 'ended';
  }

  view(): VideoSessionView {
    return {
      sessionId: this.id, deviceId: this.deviceId, caseId: this.caseId, staffId: this.staff.id, staffName: this.staff.displayName,
      status: this.status, peer: this.peer, requestedAt: this.requestedAt, expiresAt: this.expiresAt, connectedAt: this.connectedAt,
      endedAt: this.endedAt, endedBy: this.endedBy, outcome: this.outcome, iceServers: this.iceServers,
    };
  }

  emit(audience: Audience, event: VideoStreamEvent): void {
    const entry = { id: this.nextEventId++, event };
    const backlog = this.backlog[audience];
    backlog.push(entry);
    if (backlog.length > BACKLOG) backlog.shift();
    for (const listener of this.listeners[audience]) listener(entry);
  }

  /**
   * Sends the current state, replays the signals missed after `lastEventId`
   * (all when 0), then follows live. Old states are not replayed: they would
   * overwrite the current one.
   */
  listen(audience: Audience, lastEventId: number, listener: StreamListener): () => void {
    listener({ id: this.nextEventId - 1, event: { type: 'state', session: this.view() } });
    for (const entry of this.backlog[audience]) if (entry.id > lastEventId && entry.event.type === 'signal') listener(entry);
    this.listeners[audience].add(listener);
    return () => this.listeners[audience].delete(listener);
  }

  listenerCount(audience: Audience): number {
    return this.listeners[audience].size;
  }
}
