import { ErrorCode, TouchpointError, type PeerSignal, type VideoSessionView } from '@touchpoint/protocol';
import { consent, endCall, markConnected } from './call-lifecycle.js';
import { phoneKeyHash } from './phone-links.js';
import type { VideoSession } from './session.js';
import type { VideoContext } from './video-context.js';

/** The phone's side of a call, over HTTP: every call carries the bearer key the phone got for its link. */

export function phoneSession(ctx: VideoContext, sessionId: string, key: string): VideoSession {
  const session = ctx.sessions.get(sessionId);
  if (!session || session.phoneKeyHash === null || session.phoneKeyHash !== phoneKeyHash(key))
    throw new TouchpointError(ErrorCode.NOT_AUTHORIZED, 'this phone is not part of the call');
  return session;
}

/** Whether this key still binds a phone to the session (its event stream asks before every event). */
export function phoneStillBound(ctx: VideoContext, sessionId: string, key: string): boolean {
  const session = ctx.sessions.get(sessionId);
  return session !== undefined && session.phoneKeyHash !== null && session.phoneKeyHash === phoneKeyHash(key);
}

/** Consent on the phone: the call (ringing, or already running on the device) moves to the phone. */
export function phoneConsent(
  ctx: VideoContext,
  sessionId: string,
  key: string,
  decision: 'accepted' | 'declined',
): VideoSessionView {
  const session = phoneSession(ctx, sessionId, key);
  if (!session.active) throw new TouchpointError(ErrorCode.CONFLICT, 'this call has ended');
  if (session.peer === 'phone') throw new TouchpointError(ErrorCode.CONFLICT, 'consent was already given');
  consent(ctx, session, 'phone', decision);
  return session.view();
}

/** The phone's answer or ICE candidate, with its own rising `seq`, relayed to the console. */
export function phoneSignal(ctx: VideoContext, sessionId: string, key: string, seq: number, signal: PeerSignal): void {
  const session = phoneSession(ctx, sessionId, key);
  if (!session.active || session.peer !== 'phone')
    throw new TouchpointError(ErrorCode.CONFLICT, 'the phone is not in the call');
  if (signal.kind === 'offer')
    throw new TouchpointError(ErrorCode.SCHEMA_INVALID, 'the phone answers; it never offers');
  if (seq <= session.upSeq.phone) {
    ctx.deps.counters.inc(`video.rejected.${ErrorCode.REPLAY}`);
    throw new TouchpointError(ErrorCode.REPLAY, `sequence ${seq} is not after ${session.upSeq.phone}`);
  }
  session.upSeq.phone = seq;
  ctx.sessions.save(session);
  session.emit('console', { type: 'signal', from: 'phone', seq, signal });
}

export function phoneStatus(
  ctx: VideoContext,
  sessionId: string,
  key: string,
  status: 'connected' | 'reconnecting',
): void {
  const session = phoneSession(ctx, sessionId, key);
  if (status === 'connected') markConnected(ctx, session.id, 'phone', session.deviceId);
}

export function phoneHangup(ctx: VideoContext, sessionId: string, key: string): VideoSessionView {
  const session = phoneSession(ctx, sessionId, key);
  if (session.active)
    endCall(ctx, session, 'phone', session.peer === 'phone' ? 'hangup' : 'declined', 'ended on the phone');
  return session.view();
}
