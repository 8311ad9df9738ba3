import { createHash, randomBytes } from 'node:crypto';
import { ErrorCode, TouchpointError, type PhoneClaimResponse } from '@touchpoint/protocol';
import type { VideoSession } from './session.js';
import { sendDown } from './signal-down.js';
import type { VideoContext } from './video-context.js';

/** Phone links one call may mint: enough for a customer who asks again and again, not for a device that loops. */
const MAX_LINKS_PER_SESSION = 20;

/** A phone's bearer key is kept only as this hash. */
export const phoneKeyHash = (key: string): string => createHash('sha256').update(key).digest('hex');

/**
 * Issues the session's phone link and sends it to the device, the only
 * place it is shown (down on `rtc/{session}/down`, which only that device
 * may subscribe to). A new link revokes the previous one and lets go of a
 * phone that claimed it without consenting (issue 12, item 8). No link once
 * the call runs on a phone, and none without a trusted origin.
 */
export async function sendHandoff(
  ctx: VideoContext,
  session: VideoSession,
  why: 'ring' | 'device' | 'staff',
): Promise<{ ok: true } | { ok: false; code: ErrorCode; reason: string }> {
  const refuse = (code: ErrorCode, reason: string) => {
    ctx.deps.counters.inc(`video.handoff.not_issued.${code}`);
    ctx.deps.log.warn('phone link not issued', { sessionId: session.id, deviceId: session.deviceId, code, reason });
    return { ok: false as const, code, reason };
  };
  if (!session.active) return refuse(ErrorCode.CONFLICT, 'the call has ended');
  if (session.peer === 'phone') return refuse(ErrorCode.CONFLICT, 'the call already runs on a phone');
  if (session.origin === null)
    return refuse(ErrorCode.CONFLICT, 'no trusted origin for phone links (configure --public-url)');
  if (session.linksIssued >= MAX_LINKS_PER_SESSION)
    return refuse(ErrorCode.RATE_LIMITED, `at most ${MAX_LINKS_PER_SESSION} phone links per call`);
  session.linksIssued++;
  ctx.sessions.save(session);
  const now = ctx.now();
  const ttl = ctx.deps.options?.handoffTtlMs ?? Math.max(ctx.ringTimeoutMs, 60_000);
  const { token, expiresAt } = ctx.tokens.issue(session.id, session.deviceId, ttl, now);
  if (why !== 'ring')
    releasePhone(ctx, session, why === 'device' ? 'the customer asked for a new code' : 'support offered a new code');
  await sendDown(ctx, session, { kind: 'handoff', url: `${session.origin}/v/${token}`, expiresAt });
  return { ok: true };
}

/** Unbinds a phone that claimed a link but never consented: its key stops working and its stream closes. */
export function releasePhone(ctx: VideoContext, session: VideoSession, reason: string): void {
  if (session.phoneKeyHash === null || session.peer === 'phone') return;
  session.phoneKeyHash = null;
  ctx.sessions.save(session);
  session.closeStreams('phone');
  ctx.deps.counters.inc('video.handoff.released');
  ctx.deps.fleet.audit.recordSoon(
    {
      actor: 'system',
      action: 'video.handoff.release',
      deviceId: session.deviceId,
      target: session.id,
      outcome: 'ok',
      detail: { reason },
    },
    ctx.now(),
  );
}

/** The single use of a phone link: binds this phone to the session with a bearer key. */
export function claimHandoff(ctx: VideoContext, token: string): PhoneClaimResponse {
  const now = ctx.now();
  const claim = ctx.tokens.claim(token, now);
  if (!claim.ok) {
    ctx.deps.counters.inc(`video.handoff.refused.${claim.code}`);
    const call = ctx.tokens.callOf(token);
    ctx.deps.fleet.audit.recordSoon(
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
  const session = ctx.sessions.get(claim.value.sessionId);
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
    ctx.deps.counters.inc(`video.handoff.refused.${ErrorCode.CONFLICT}`);
    ctx.deps.fleet.audit.recordSoon(
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
  session.phoneKeyHash = phoneKeyHash(key);
  ctx.sessions.save(session);
  session.clearBacklog('phone');
  ctx.deps.fleet.audit.recordSoon(
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
