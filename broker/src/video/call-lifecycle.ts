import type { CallOutcome, CallParty } from '@touchpoint/protocol';
import { releasePhone } from './phone-links.js';
import type { VideoSession } from './session.js';
import { sendDown } from './signal-down.js';
import type { VideoContext } from './video-context.js';

/**
 * A call's state changes after it rings: consent, connected, ended. Each is audited, and the
 * console and the phone get the new state on their event streams.
 */

/** The new state to both audiences of the call. */
export function emitState(session: VideoSession): void {
  const event = { type: 'state', session: session.view() } as const;
  session.emit('console', event);
  session.emit('phone', event);
}

/** The customer's answer, on the device or the phone; accepting there settles where the call runs. */
export function consent(
  ctx: VideoContext,
  session: VideoSession,
  by: 'device' | 'phone',
  decision: 'accepted' | 'declined',
): void {
  const now = ctx.now();
  ctx.deps.fleet.audit.recordSoon(
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
  if (decision === 'declined') return endCall(ctx, session, by, 'declined', `declined on the ${by}`);
  clearTimeout(session.ringTimer);
  const movedFromDevice = by === 'phone' && session.peer === 'device';
  // Consent settles where the call runs: every open link is revoked, and a phone that claimed one but did not
  // consent is let go. Only a new request from the device (the customer moving the call) issues another link.
  ctx.tokens.revoke(session.id, now);
  if (by === 'device') releasePhone(ctx, session, 'the customer accepted on the device');
  session.peer = by;
  session.status = 'accepted';
  session.connectedAt = null;
  ctx.sessions.save(session);
  // The device stops ringing (or leaves the call) once the phone takes it over.
  if (by === 'phone')
    void sendDown(ctx, session, {
      kind: 'hangup',
      reason: movedFromDevice ? 'moved to the phone' : 'answered on the phone',
      endedBy: 'phone',
    });
  emitState(session);
}

/** The consented peer reported ICE connected: the call runs (audited as `video.start`). */
export function markConnected(ctx: VideoContext, sessionId: string, by: 'device' | 'phone', deviceId: string): void {
  const session = ctx.sessions.get(sessionId);
  if (!session || session.deviceId !== deviceId || session.peer !== by || session.status !== 'accepted') return;
  const now = ctx.now();
  session.status = 'connected';
  session.connectedAt = now;
  ctx.sessions.save(session);
  ctx.deps.fleet.audit.recordSoon(
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
  emitState(session);
}

/**
 * Rings until `expiresAt`, then ends the call as unanswered. The timer lives in this process only, so it
 * reads the call back first: another process (or this one, restarted) may have settled it meanwhile.
 */
export function armRingTimer(ctx: VideoContext, session: VideoSession): void {
  clearTimeout(session.ringTimer);
  session.ringTimer = setTimeout(
    () => {
      const current = ctx.sessions.get(session.id);
      if (current?.status === 'ringing') endCall(ctx, current, 'timeout', 'timeout', 'no answer');
    },
    Math.max(0, session.expiresAt - ctx.now()),
  );
  session.ringTimer.unref();
}

/** Ends a running call once: audited (`video.timeout` too for no answer), links revoked, the device told unless it ended it. */
export function endCall(
  ctx: VideoContext,
  session: VideoSession,
  endedBy: CallParty,
  outcome: CallOutcome,
  reason: string,
  actor?: 'system',
): void {
  if (!session.active) return;
  const now = ctx.now();
  clearTimeout(session.ringTimer);
  const notifyDevice = session.peer !== 'phone' && endedBy !== 'device';
  session.status = 'ended';
  session.endedAt = now;
  session.endedBy = endedBy;
  session.outcome = outcome;
  ctx.sessions.save(session);
  ctx.tokens.revoke(session.id, now);
  const audit = ctx.deps.fleet.audit;
  if (outcome === 'timeout')
    audit.recordSoon(
      {
        actor: 'system',
        action: 'video.timeout',
        deviceId: session.deviceId,
        target: session.id,
        outcome: 'ok',
        detail: { staffId: session.staff.id, ringTimeoutMs: ctx.ringTimeoutMs },
      },
      now,
    );
  audit.recordSoon(
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
    void sendDown(ctx, session, {
      kind: 'hangup',
      reason: outcome === 'timeout' ? 'timeout' : reason,
      endedBy: outcome === 'timeout' ? 'timeout' : endedBy,
    });
  emitState(session);
}
