import { createHash, randomBytes } from 'node:crypto';
import {
  ErrorCode,
  TouchpointError,
  header,
  signalMessage,
  signalTopic,
  type CallOutcome,
  type CallParty,
  type PeerSignal,
  type PhoneClaimResponse,
  type SignalMessage,
  type VideoSessionView,
} from '@touchpoint/protocol';
import type { Counters } from '../counters.js';
import type { Fleet } from '../fleet/fleet.js';
import { roleAllows, type StaffMember } from '../fleet/staff.js';
import type { Logger } from '../logger.js';
import { HandoffTokens } from './handoff-tokens.js';
import { DEFAULT_RING_TIMEOUT_MS, iceServersFor, type VideoOptions } from './options.js';
import { phoneOrigin, type PhoneOriginPolicy } from './phone-origin.js';
import { VideoSession, staffSessionKey, type Audience, type StreamHandle, type StreamListener } from './session.js';

/** Publishes in-process on the broker (aedes), with the fleet service's rights. */
export type Publish = (topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }) => Promise<void>;

export interface VideoServiceDeps {
  fleet: Fleet;
  publish: Publish;
  counters: Counters;
  log: Logger;
  options?: VideoOptions | undefined;
  /** Where phone links may point (issue 12, Low). Default: no public URL, broker on loopback. */
  phoneOrigin?: PhoneOriginPolicy | undefined;
  now?: () => number;
}

/** Who asks, from the console: the staff member and the login session the request came with. */
export interface StaffCaller {
  staff: StaffMember;
  /** SHA-256 of the session cookie's token: calls and streams are tied to it, never to the token itself. */
  session: string;
}

/** What the console's request says about how it reached us; only used for phone links on a loopback broker. */
export interface RequestOrigin {
  host: string | undefined;
  encrypted: boolean;
}

/** Which staff sessions ended: one login (logout), or every login of a member (disabled, role changed, password reset). */
export interface StaffSessionsEnded {
  staffId: string;
  /** SHA-256 of the ended session's token; absent when all the member's sessions ended. */
  session?: string | undefined;
  reason: string;
}

const ENDED_KEEP = 200;
/** Phone links one call may mint: enough for a customer who asks again and again, not for a device that loops. */
const MAX_LINKS_PER_SESSION = 20;
const keyHash = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * The fleet side of video calls. It owns each session's lifecycle (ringing,
 * consent, timeout, connected, ended), publishes the console's signalling to
 * the device bound to the staff member, checks everything the device or the
 * phone sends back (session, staff member, direction, rising sequence number)
 * before any of it reaches the console, and writes the audit trail.
 *
 * Consent comes only from the customer's side: the device (over MQTT) or the
 * phone holding a single-use link. Media never passes through the fleet.
 */
export class VideoService {
  private readonly sessions = new Map<string, VideoSession>();
  private readonly tokens = new HandoffTokens();
  private readonly now: () => number;
  private readonly ringTimeoutMs: number;
  private readonly off: (() => void)[] = [];

  constructor(private readonly deps: VideoServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.ringTimeoutMs = deps.options?.ringTimeoutMs ?? DEFAULT_RING_TIMEOUT_MS;
    const live = deps.fleet.live;
    const onSignal = (e: { deviceId: string; message: SignalMessage }) => this.onDeviceSignal(e.deviceId, e.message);
    const onEvent = (e: { deviceId: string; event: { type: string; sessionId?: string; status?: string } }) => {
      if (e.event.type === 'video' && e.event.status === 'connected' && e.event.sessionId)
        this.markConnected(e.event.sessionId, 'device', e.deviceId);
    };
    const onPresence = (e: { deviceId: string; online: boolean }) => {
      if (e.online) return;
      for (const s of this.sessions.values()) {
        if (s.active && s.deviceId === e.deviceId && s.peer !== 'phone')
          this.end(s, 'device', 'offline', 'device went offline');
      }
    };
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
  async start(
    caller: StaffCaller,
    deviceId: string,
    caseId: string | null = null,
    request: RequestOrigin = { host: undefined, encrypted: false },
  ): Promise<VideoSessionView> {
    const { staff } = caller;
    const now = this.now();
    const refuse = (code: ErrorCode, message: string): never => {
      this.deps.fleet.audit.record(
        {
          actor: staff.id,
          actorRole: staff.role,
          action: 'video.request',
          deviceId,
          outcome: 'refused',
          detail: { code, message },
        },
        now,
      );
      throw new TouchpointError(code, message);
    };
    if (!roleAllows(staff.role, 'agent')) refuse(ErrorCode.FORBIDDEN_ROLE, 'video calls need the agent role');
    const device = this.deps.fleet.devices.get(deviceId);
    if (!device) refuse(ErrorCode.NOT_FOUND, `device ${deviceId} does not exist`);
    if (!device?.online) refuse(ErrorCode.CONFLICT, `device ${deviceId} is offline`);
    for (const s of this.sessions.values())
      if (s.active && s.deviceId === deviceId)
        refuse(ErrorCode.CONFLICT, `device ${deviceId} is already in a video session`);

    const id = `vs-${randomBytes(9)
      .toString('base64url')
      .replace(/[^A-Za-z0-9]/g, 'x')}`;
    const origin = phoneOrigin(this.deps.phoneOrigin ?? { publicOrigin: undefined, loopbackOnly: true }, request);
    if (!origin.ok) {
      this.deps.counters.inc(`video.handoff.no_origin.${origin.code}`);
      this.deps.log.warn('no phone link for this call', { deviceId, code: origin.code, reason: origin.reason });
    }
    const session = new VideoSession(
      id,
      deviceId,
      caseId,
      staff,
      now,
      now + this.ringTimeoutMs,
      iceServersFor(id, this.deps.options ?? {}, now),
      origin.ok ? origin.value : null,
      caller.session,
    );
    this.sessions.set(id, session);
    this.trim();
    this.deps.fleet.audit.record(
      {
        actor: staff.id,
        actorRole: staff.role,
        action: 'video.request',
        deviceId,
        target: id,
        outcome: 'ok',
        detail: { caseId, ringTimeoutMs: this.ringTimeoutMs },
      },
      now,
    );
    session.ringTimer = setTimeout(() => this.end(session, 'timeout', 'timeout', 'no answer'), this.ringTimeoutMs);
    session.ringTimer.unref();
    await this.sendDown(session, {
      kind: 'request',
      staffName: staff.displayName,
      media: { audio: true, video: true },
      expiresAt: session.expiresAt,
      iceServers: session.iceServers,
    });
    await this.sendHandoff(session, 'ring');
    return session.view();
  }

  /** Only the staff member the session is bound to may see or drive it. */
  sessionFor(staff: StaffMember, sessionId: string): VideoSession {
    const session = this.sessions.get(sessionId);
    if (!session) throw new TouchpointError(ErrorCode.NOT_FOUND, `no video session ${sessionId}`);
    if (session.staff.id !== staff.id) {
      this.deps.counters.inc(`video.refused.${ErrorCode.NOT_AUTHORIZED}`);
      this.deps.fleet.audit.record({
        actor: staff.id,
        actorRole: staff.role,
        action: 'video.signal',
        deviceId: session.deviceId,
        target: sessionId,
        outcome: 'refused',
        detail: { code: ErrorCode.NOT_AUTHORIZED },
      });
      throw new TouchpointError(ErrorCode.NOT_AUTHORIZED, `video session ${sessionId} belongs to another staff member`);
    }
    return session;
  }

  /** The console's offer or ICE candidate, relayed to whichever customer-side peer consented. */
  async consoleSignal(staff: StaffMember, sessionId: string, signal: PeerSignal): Promise<void> {
    const session = this.sessionFor(staff, sessionId);
    if (session.status !== 'accepted' && session.status !== 'connected')
      throw new TouchpointError(ErrorCode.CONFLICT, `video session ${sessionId} is ${session.status}`);
    if (signal.kind === 'answer')
      throw new TouchpointError(ErrorCode.SCHEMA_INVALID, 'the console makes offers; it never answers');
    if (session.peer === 'phone')
      session.emit('phone', { type: 'signal', from: 'staff', seq: session.downSeq++, signal });
    else await this.sendDown(session, signal);
  }

  async hangup(staff: StaffMember, sessionId: string, reason?: string): Promise<VideoSessionView> {
    const session = this.sessionFor(staff, sessionId);
    if (session.active) this.end(session, 'staff', 'hangup', reason ?? 'staff hung up');
    return session.view();
  }

  listen(
    sessionId: string,
    audience: Audience,
    lastEventId: number,
    listener: StreamListener,
    handle?: StreamHandle,
  ): () => void {
    const session = this.sessions.get(sessionId);
    if (!session) throw new TouchpointError(ErrorCode.NOT_FOUND, `no video session ${sessionId}`);
    return session.listen(audience, lastEventId, listener, handle);
  }

  /**
   * A staff login ended (logout, disabled, role changed, password reset, or
   * found invalid on a stream's re-check; issue 12, item 5). Its video event
   * streams close, and every running call started from it ends, audited as
   * `video.end` by `system` with the reason. Returns how many calls ended.
   */
  staffSessionsEnded(ended: StaffSessionsEnded): number {
    const matches = (staffSession: string | undefined, staffId: string) =>
      staffId === ended.staffId && (ended.session === undefined || staffSession === ended.session);
    let calls = 0;
    let streams = 0;
    for (const s of [...this.sessions.values()]) {
      if (s.active && matches(s.staffSession, s.staff.id)) {
        this.end(s, 'staff', 'hangup', `the staff session ended (${ended.reason})`, 'system');
        calls++;
      }
      streams += s.closeStreams('console', (h) => matches(h.staffSession, s.staff.id));
    }
    if (streams > 0) this.deps.counters.inc('video.stream.closed.staff_session', streams);
    return calls;
  }

  get(sessionId: string): VideoSessionView | undefined {
    return this.sessions.get(sessionId)?.view();
  }

  // ---- the device, over MQTT ----------------------------------------------

  /** Everything the device sends up, already schema-checked by ingest; nothing unchecked reaches the console. */
  onDeviceSignal(deviceId: string, message: SignalMessage): void {
    const session = this.sessions.get(message.sessionId);
    const reject = (code: ErrorCode, reason: string) => {
      this.deps.counters.inc(`video.rejected.${code}`);
      this.deps.log.warn('video signal rejected', {
        deviceId,
        sessionId: message.sessionId,
        kind: message.kind,
        code,
        reason,
      });
    };
    if (!session || session.deviceId !== deviceId)
      return reject(ErrorCode.NOT_FOUND, `no video session ${message.sessionId} on ${deviceId}`);
    if (message.from !== 'device') return reject(ErrorCode.NOT_AUTHORIZED, `a device may not send as ${message.from}`);
    if (message.staffId !== session.staff.id) return reject(ErrorCode.NOT_AUTHORIZED, 'bound to another staff member');
    if (message.seq <= session.upSeq.device)
      return reject(ErrorCode.REPLAY, `sequence ${message.seq} is not after ${session.upSeq.device}`);
    if (!session.active) return reject(ErrorCode.CONFLICT, 'the session has ended');
    session.upSeq.device = message.seq;
    switch (message.kind) {
      case 'consent':
        if (session.status !== 'ringing') return reject(ErrorCode.CONFLICT, 'consent is only given while ringing');
        return this.consent(session, 'device', message.decision);
      case 'answer':
      case 'ice':
        if (session.peer !== 'device') return reject(ErrorCode.CONFLICT, 'the device is not the consented peer');
        session.emit('console', {
          type: 'signal',
          from: 'device',
          seq: message.seq,
          signal:
            message.kind === 'answer'
              ? { kind: 'answer', sdp: message.sdp }
              : {
                  kind: 'ice',
                  candidate: message.candidate,
                  sdpMid: message.sdpMid,
                  sdpMLineIndex: message.sdpMLineIndex,
                },
        });
        return;
      case 'hangup':
        if (session.peer === 'phone') return reject(ErrorCode.CONFLICT, 'the call moved to the phone');
        return this.end(
          session,
          'device',
          session.status === 'ringing' ? 'declined' : 'hangup',
          message.reason ?? 'ended on the device',
        );
      case 'handoff-request':
        // The customer asked on the device for a (new) phone code: while it rings, or to move a call running on the device.
        void this.sendHandoff(session, 'device');
        return;
      case 'request':
      case 'offer':
      case 'handoff':
        return reject(ErrorCode.NOT_AUTHORIZED, `a device may not send ${message.kind}`);
    }
  }

  // ---- the phone, over HTTP -----------------------------------------------

  /** The single use of a phone link: binds this phone to the session with a bearer key. */
  claimHandoff(token: string): PhoneClaimResponse {
    const now = this.now();
    const claim = this.tokens.claim(token, now);
    if (!claim.ok) {
      this.deps.counters.inc(`video.handoff.refused.${claim.code}`);
      const call = this.tokens.callOf(token);
      this.deps.fleet.audit.record(
        {
          actor: 'phone',
          action: 'video.handoff',
          ...(call ? { deviceId: call.deviceId, target: call.sessionId } : {}),
          outcome: 'refused',
          detail: { code: claim.code, reason: claim.reason },
        },
        now,
      );
      throw new TouchpointError(claim.code, claim.reason);
    }
    const session = this.sessions.get(claim.value.sessionId);
    if (!session || !session.active || session.deviceId !== claim.value.deviceId)
      throw new TouchpointError(ErrorCode.EXPIRED, 'this call has ended');
    // One phone per session (issue 12, item 8). Links are revoked when a newer one is issued, when one is
    // claimed and when the customer consents, so these only hold if that bookkeeping were ever wrong.
    const conflict =
      session.peer === 'phone'
        ? 'the call already runs on a phone'
        : session.phoneKeyHash !== null
          ? 'another phone already holds this call'
          : undefined;
    if (conflict) {
      this.deps.counters.inc(`video.handoff.refused.${ErrorCode.CONFLICT}`);
      this.deps.fleet.audit.record(
        {
          actor: 'phone',
          action: 'video.handoff',
          deviceId: session.deviceId,
          target: session.id,
          outcome: 'refused',
          detail: { code: ErrorCode.CONFLICT, reason: conflict },
        },
        now,
      );
      throw new TouchpointError(ErrorCode.CONFLICT, conflict);
    }
    const key = randomBytes(32).toString('base64url');
    session.phoneKeyHash = keyHash(key);
    session.clearBacklog('phone');
    this.deps.fleet.audit.record(
      {
        actor: 'phone',
        action: 'video.handoff',
        deviceId: session.deviceId,
        target: session.id,
        outcome: 'ok',
        detail: { moving: session.peer === 'device' },
      },
      now,
    );
    return {
      sessionId: session.id,
      key,
      staffName: session.staff.displayName,
      iceServers: session.iceServers,
      expiresAt: session.expiresAt,
    };
  }

  phoneSession(sessionId: string, key: string): VideoSession {
    const session = this.sessions.get(sessionId);
    if (!session || session.phoneKeyHash === null || session.phoneKeyHash !== keyHash(key))
      throw new TouchpointError(ErrorCode.NOT_AUTHORIZED, 'this phone is not part of the call');
    return session;
  }

  /** Whether this key still binds a phone to the session (its event stream asks before every event). */
  phoneStillBound(sessionId: string, key: string): boolean {
    const session = this.sessions.get(sessionId);
    return session !== undefined && session.phoneKeyHash !== null && session.phoneKeyHash === keyHash(key);
  }

  /** Consent on the phone: the call (ringing, or already running on the device) moves to the phone. */
  phoneConsent(sessionId: string, key: string, decision: 'accepted' | 'declined'): VideoSessionView {
    const session = this.phoneSession(sessionId, key);
    if (!session.active) throw new TouchpointError(ErrorCode.CONFLICT, 'this call has ended');
    if (session.peer === 'phone') throw new TouchpointError(ErrorCode.CONFLICT, 'consent was already given');
    this.consent(session, 'phone', decision);
    return session.view();
  }

  phoneSignal(sessionId: string, key: string, seq: number, signal: PeerSignal): void {
    const session = this.phoneSession(sessionId, key);
    if (!session.active || session.peer !== 'phone')
      throw new TouchpointError(ErrorCode.CONFLICT, 'the phone is not in the call');
    if (signal.kind === 'offer')
      throw new TouchpointError(ErrorCode.SCHEMA_INVALID, 'the phone answers; it never offers');
    if (seq <= session.upSeq.phone) {
      this.deps.counters.inc(`video.rejected.${ErrorCode.REPLAY}`);
      throw new TouchpointError(ErrorCode.REPLAY, `sequence ${seq} is not after ${session.upSeq.phone}`);
    }
    session.upSeq.phone = seq;
    session.emit('console', { type: 'signal', from: 'phone', seq, signal });
  }

  phoneStatus(sessionId: string, key: string, status: 'connected' | 'reconnecting'): void {
    const session = this.phoneSession(sessionId, key);
    if (status === 'connected') this.markConnected(session.id, 'phone', session.deviceId);
  }

  phoneHangup(sessionId: string, key: string): VideoSessionView {
    const session = this.phoneSession(sessionId, key);
    if (session.active)
      this.end(session, 'phone', session.peer === 'phone' ? 'hangup' : 'declined', 'ended on the phone');
    return session.view();
  }

  // ---- lifecycle ----------------------------------------------------------

  /** Ends every call (broker shutdown). */
  close(): void {
    for (const off of this.off.splice(0)) off();
    for (const s of this.sessions.values()) if (s.active) this.end(s, 'staff', 'hangup', 'the server is shutting down');
  }

  private consent(session: VideoSession, by: 'device' | 'phone', decision: 'accepted' | 'declined'): void {
    const now = this.now();
    this.deps.fleet.audit.record(
      {
        actor: by === 'device' ? `device:${session.deviceId}` : 'phone',
        action: 'video.consent',
        deviceId: session.deviceId,
        target: session.id,
        outcome: 'ok',
        detail: { decision, by, staffId: session.staff.id },
      },
      now,
    );
    if (decision === 'declined') return this.end(session, by, 'declined', `declined on the ${by}`);
    clearTimeout(session.ringTimer);
    const movedFromDevice = by === 'phone' && session.peer === 'device';
    // Consent settles where the call runs: every open link is revoked, and a phone that claimed one but did not
    // consent is let go. Only a new request from the device (the customer moving the call) issues another link.
    this.tokens.revoke(session.id, now);
    if (by === 'device') this.releasePhone(session, 'the customer accepted on the device');
    session.peer = by;
    session.status = 'accepted';
    session.connectedAt = null;
    // The device stops ringing (or leaves the call) once the phone takes it over.
    if (by === 'phone')
      void this.sendDown(session, {
        kind: 'hangup',
        reason: movedFromDevice ? 'moved to the phone' : 'answered on the phone',
        endedBy: 'phone',
      });
    this.emitState(session);
  }

  private markConnected(sessionId: string, by: 'device' | 'phone', deviceId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session || session.deviceId !== deviceId || session.peer !== by || session.status !== 'accepted') return;
    const now = this.now();
    session.status = 'connected';
    session.connectedAt = now;
    this.deps.fleet.audit.record(
      {
        actor: session.staff.id,
        actorRole: session.staff.role,
        action: 'video.start',
        deviceId,
        target: sessionId,
        outcome: 'ok',
        detail: { peer: by },
      },
      now,
    );
    this.emitState(session);
  }

  private end(session: VideoSession, endedBy: CallParty, outcome: CallOutcome, reason: string, actor?: 'system'): void {
    if (!session.active) return;
    const now = this.now();
    clearTimeout(session.ringTimer);
    const notifyDevice = session.peer !== 'phone' && endedBy !== 'device';
    session.status = 'ended';
    session.endedAt = now;
    session.endedBy = endedBy;
    session.outcome = outcome;
    this.tokens.revoke(session.id, now);
    const audit = this.deps.fleet.audit;
    if (outcome === 'timeout')
      audit.record(
        {
          actor: 'system',
          action: 'video.timeout',
          deviceId: session.deviceId,
          target: session.id,
          outcome: 'ok',
          detail: { staffId: session.staff.id, ringTimeoutMs: this.ringTimeoutMs },
        },
        now,
      );
    audit.record(
      {
        actor:
          actor ??
          (endedBy === 'staff'
            ? session.staff.id
            : endedBy === 'device'
              ? `device:${session.deviceId}`
              : endedBy === 'phone'
                ? 'phone'
                : 'system'),
        ...(endedBy === 'staff' && !actor ? { actorRole: session.staff.role } : {}),
        action: 'video.end',
        deviceId: session.deviceId,
        target: session.id,
        outcome: 'ok',
        detail: {
          endedBy,
          outcome,
          reason,
          peer: session.peer,
          staffId: session.staff.id,
          durationMs: session.connectedAt === null ? 0 : now - session.connectedAt,
          caseId: session.caseId,
        },
      },
      now,
    );
    if (notifyDevice)
      void this.sendDown(session, {
        kind: 'hangup',
        reason: outcome === 'timeout' ? 'timeout' : reason,
        endedBy: outcome === 'timeout' ? 'timeout' : endedBy,
      });
    this.emitState(session);
  }

  private emitState(session: VideoSession): void {
    const event = { type: 'state', session: session.view() } as const;
    session.emit('console', event);
    session.emit('phone', event);
  }

  /**
   * Issues the session's phone link and sends it to the device, the only
   * place it is shown (down on `rtc/{session}/down`, which only that device
   * may subscribe to). A new link revokes the previous one and lets go of a
   * phone that claimed it without consenting (issue 12, item 8). No link once
   * the call runs on a phone, and none without a trusted origin.
   */
  private async sendHandoff(session: VideoSession, why: 'ring' | 'device'): Promise<void> {
    const refuse = (code: ErrorCode, reason: string) => {
      this.deps.counters.inc(`video.handoff.not_issued.${code}`);
      this.deps.log.warn('phone link not issued', { sessionId: session.id, deviceId: session.deviceId, code, reason });
    };
    if (!session.active) return refuse(ErrorCode.CONFLICT, 'the call has ended');
    if (session.peer === 'phone') return refuse(ErrorCode.CONFLICT, 'the call already runs on a phone');
    if (session.origin === null)
      return refuse(ErrorCode.CONFLICT, 'no trusted origin for phone links (configure --public-url)');
    if (session.linksIssued >= MAX_LINKS_PER_SESSION)
      return refuse(ErrorCode.RATE_LIMITED, `at most ${MAX_LINKS_PER_SESSION} phone links per call`);
    session.linksIssued++;
    const now = this.now();
    const ttl = this.deps.options?.handoffTtlMs ?? Math.max(this.ringTimeoutMs, 60_000);
    const { token, expiresAt } = this.tokens.issue(session.id, session.deviceId, ttl, now);
    if (why === 'device') this.releasePhone(session, 'the customer asked for a new code');
    await this.sendDown(session, { kind: 'handoff', url: `${session.origin}/v/${token}`, expiresAt });
  }

  /** Unbinds a phone that claimed a link but never consented: its key stops working and its stream closes. */
  private releasePhone(session: VideoSession, reason: string): void {
    if (session.phoneKeyHash === null || session.peer === 'phone') return;
    session.phoneKeyHash = null;
    session.closeStreams('phone');
    this.deps.counters.inc('video.handoff.released');
    this.deps.fleet.audit.record(
      {
        actor: 'system',
        action: 'video.handoff.release',
        deviceId: session.deviceId,
        target: session.id,
        outcome: 'ok',
        detail: { reason },
      },
      this.now(),
    );
  }

  private async sendDown(
    session: VideoSession,
    body: Record<string, unknown> & { kind: SignalMessage['kind'] },
  ): Promise<void> {
    const message = signalMessage.parse({
      ...header(this.now()),
      ...body,
      sessionId: session.id,
      seq: session.downSeq++,
      staffId: session.staff.id,
      from: 'staff',
    });
    try {
      await this.deps.publish(signalTopic(session.deviceId, session.id, 'down'), JSON.stringify(message), {
        qos: 1,
        retain: false,
      });
    } catch (err) {
      this.deps.counters.inc('video.publish.failed');
      this.deps.log.error('video signal publish failed', {
        sessionId: session.id,
        code: ErrorCode.INTERNAL,
        reason: (err as Error).message,
      });
    }
  }

  private trim(): void {
    const ended = [...this.sessions.values()].filter((s) => !s.active);
    for (const s of ended.slice(0, Math.max(0, ended.length - ENDED_KEEP))) this.sessions.delete(s.id);
  }
}
