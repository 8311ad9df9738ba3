import {
  ErrorCode,
  TouchpointError,
  type PeerSignal,
  type PhoneClaimResponse,
  type SignalMessage,
  type VideoSessionView,
} from '@touchpoint/protocol';
import type { StaffMember } from '../fleet/staff.js';
import { armRingTimer, endCall, markConnected } from './call-lifecycle.js';
import { consoleSignal, hangup, offerPhone, sessionFor, staffSessionsEnded, startCall } from './console-calls.js';
import { onDeviceSignal } from './device-signals.js';
import { HandoffTokens } from './handoff-tokens.js';
import { DEFAULT_RING_TIMEOUT_MS } from './options.js';
import { phoneConsent, phoneHangup, phoneSession, phoneSignal, phoneStatus, phoneStillBound } from './phone-calls.js';
import { claimHandoff } from './phone-links.js';
import {
  staffSessionKey,
  type Audience,
  type StreamHandle,
  type StreamListener,
  type VideoSession,
} from './session.js';
import { VideoSessions } from './session-store.js';
import type {
  RequestOrigin,
  StaffCaller,
  StaffSessionsEnded,
  VideoContext,
  VideoServiceDeps,
} from './video-context.js';

export type { Publish, RequestOrigin, StaffCaller, StaffSessionsEnded, VideoServiceDeps } from './video-context.js';

/**
 * The fleet side of video calls. It owns each session's lifecycle (ringing,
 * consent, timeout, connected, ended), publishes the console's signalling to
 * the device bound to the staff member, checks everything the device or the
 * phone sends back (session, staff member, direction, rising sequence number)
 * before any of it reaches the console, and writes the audit trail.
 *
 * Consent comes only from the customer's side: the device (over MQTT) or the
 * phone holding a single-use link. Media never passes through the fleet.
 *
 * This class wires the parts to the fleet's live events and staff sessions:
 * console-calls.ts (the staff side), device-signals.ts (the device, over MQTT),
 * phone-links.ts and phone-calls.ts (the phone, over HTTP), call-lifecycle.ts
 * (consent, connected, ended) and signal-down.ts (publishing to the device).
 */
export class VideoService {
  private readonly ctx: VideoContext;
  private readonly off: (() => void)[] = [];

  constructor(deps: VideoServiceDeps) {
    const ctx: VideoContext = {
      deps,
      sessions: new VideoSessions(deps.fleet.db),
      tokens: new HandoffTokens(deps.fleet.db),
      now: deps.now ?? Date.now,
      ringTimeoutMs: deps.options?.ringTimeoutMs ?? DEFAULT_RING_TIMEOUT_MS,
    };
    this.ctx = ctx;
    const live = deps.fleet.live;
    const onSignal = (e: { deviceId: string; message: SignalMessage }) => this.onDeviceSignal(e.deviceId, e.message);
    const onEvent = (e: { deviceId: string; event: { type: string; sessionId?: string; status?: string } }) => {
      if (e.event.type === 'video' && e.event.status === 'connected' && e.event.sessionId)
        markConnected(ctx, e.event.sessionId, 'device', e.deviceId);
    };
    const onPresence = (e: { deviceId: string; online: boolean }) => {
      if (e.online) return;
      for (const s of ctx.sessions.active(e.deviceId))
        if (s.peer !== 'phone') endCall(ctx, s, 'device', 'offline', 'device went offline');
    };
    // Calls outlive the process that started them (they are in the database, issue 15): a call still ringing
    // gets its timer here, and one whose ring time passed while no process served it ends as unanswered.
    for (const s of ctx.sessions.active()) if (s.status === 'ringing') armRingTimer(ctx, s);
    const origin = deps.phoneOrigin;
    if (origin && !origin.publicOrigin && !origin.loopbackOnly)
      deps.log.warn(
        'phone links are off: the broker listens off loopback and has no public URL (--public-url, TP_PUBLIC_URL)',
        { code: ErrorCode.CONFLICT },
      );
    live.on('signal', onSignal);
    live.on('event', onEvent);
    live.on('presence', onPresence);
    this.off.push(
      () => live.off('signal', onSignal),
      () => live.off('event', onEvent),
      () => live.off('presence', onPresence),
    );
    // Logout, disable, role change, password reset or change: the member's calls and streams end with the session.
    this.off.push(
      deps.fleet.staff.onSessionsEnded((e) => {
        this.staffSessionsEnded({
          staffId: e.staffId,
          session: e.token === undefined ? undefined : staffSessionKey(e.token),
          reason: e.reason,
        });
      }),
    );
  }

  // ---- console (staff) ----------------------------------------------------

  /** A staff member (agent or admin) calls a device; it rings until the customer answers or the timeout. */
  start(
    caller: StaffCaller,
    deviceId: string,
    caseId: string | null = null,
    request: RequestOrigin = { host: undefined, encrypted: false },
  ): Promise<VideoSessionView> {
    return startCall(this.ctx, caller, deviceId, caseId, request);
  }

  /** Only the staff member the session is bound to may see or drive it. */
  sessionFor(staff: StaffMember, sessionId: string): VideoSession {
    return sessionFor(this.ctx, staff, sessionId);
  }

  /** The console's offer or ICE candidate, relayed to whichever customer-side peer consented. */
  consoleSignal(staff: StaffMember, sessionId: string, signal: PeerSignal): Promise<void> {
    return consoleSignal(this.ctx, staff, sessionId, signal);
  }

  hangup(staff: StaffMember, sessionId: string, reason?: string): VideoSessionView {
    return hangup(this.ctx, staff, sessionId, reason);
  }

  /** Staff offer the phone: the device shows the customer a fresh phone code (console-calls.ts). */
  offerPhone(staff: StaffMember, sessionId: string): Promise<VideoSessionView> {
    return offerPhone(this.ctx, staff, sessionId);
  }

  listen(
    sessionId: string,
    audience: Audience,
    lastEventId: number,
    listener: StreamListener,
    handle?: StreamHandle,
  ): () => void {
    const session = this.ctx.sessions.get(sessionId);
    if (!session) throw new TouchpointError(ErrorCode.NOT_FOUND, `no video session ${sessionId}`);
    return session.listen(audience, lastEventId, listener, handle);
  }

  /** A staff login ended: its video streams close and the calls it started end (console-calls.ts). */
  staffSessionsEnded(ended: StaffSessionsEnded): number {
    return staffSessionsEnded(this.ctx, ended);
  }

  get(sessionId: string): VideoSessionView | undefined {
    return this.ctx.sessions.get(sessionId)?.view();
  }

  // ---- the device, over MQTT ----------------------------------------------

  /** Everything the device sends up, already schema-checked by ingest; nothing unchecked reaches the console. */
  onDeviceSignal(deviceId: string, message: SignalMessage): void {
    onDeviceSignal(this.ctx, deviceId, message);
  }

  // ---- the phone, over HTTP -----------------------------------------------

  /** The single use of a phone link: binds this phone to the session with a bearer key. */
  claimHandoff(token: string): PhoneClaimResponse {
    return claimHandoff(this.ctx, token);
  }

  phoneSession(sessionId: string, key: string): VideoSession {
    return phoneSession(this.ctx, sessionId, key);
  }

  /** Whether this key still binds a phone to the session (its event stream asks before every event). */
  phoneStillBound(sessionId: string, key: string): boolean {
    return phoneStillBound(this.ctx, sessionId, key);
  }

  /** Consent on the phone: the call (ringing, or already running on the device) moves to the phone. */
  phoneConsent(sessionId: string, key: string, decision: 'accepted' | 'declined'): VideoSessionView {
    return phoneConsent(this.ctx, sessionId, key, decision);
  }

  phoneSignal(sessionId: string, key: string, seq: number, signal: PeerSignal): void {
    phoneSignal(this.ctx, sessionId, key, seq, signal);
  }

  phoneStatus(sessionId: string, key: string, status: 'connected' | 'reconnecting'): void {
    phoneStatus(this.ctx, sessionId, key, status);
  }

  phoneHangup(sessionId: string, key: string): VideoSessionView {
    return phoneHangup(this.ctx, sessionId, key);
  }

  // ---- lifecycle ----------------------------------------------------------

  /**
   * Stops this process's part: listeners, ring timers and event streams. The calls stay in the database and
   * go on (issue 15): a restarted broker, or another process on the same database, serves them.
   */
  close(): void {
    for (const off of this.off.splice(0)) off();
    for (const s of this.ctx.sessions.heldHere()) {
      clearTimeout(s.ringTimer);
      s.closeStreams('console');
      s.closeStreams('phone');
    }
  }
}
