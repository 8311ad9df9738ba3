import { randomBytes } from 'node:crypto';
import { ErrorCode, TouchpointError, type PeerSignal, type VideoSessionView } from '@touchpoint/protocol';
import { roleAllows, type StaffMember } from '../fleet/staff.js';
import { armRingTimer, endCall } from './call-lifecycle.js';
import { iceServersFor } from './options.js';
import { sendHandoff } from './phone-links.js';
import { phoneOrigin } from './phone-origin.js';
import { VideoSession } from './session.js';
import { sendDown } from './signal-down.js';
import type { RequestOrigin, StaffCaller, StaffSessionsEnded, VideoContext } from './video-context.js';

/** The console's side of a call: staff ring a device, drive the call they own, and hang up. */

/** Ended calls kept for the console to read back; older ones are forgotten. */
const ENDED_KEEP = 200;

/** A staff member (agent or admin) calls a device; it rings until the customer answers or the timeout. */
export async function startCall(
  ctx: VideoContext,
  caller: StaffCaller,
  deviceId: string,
  caseId: string | null,
  request: RequestOrigin,
): Promise<VideoSessionView> {
  const { staff } = caller;
  const { deps } = ctx;
  const now = ctx.now();
  const refuse = (code: ErrorCode, message: string): never => {
    deps.fleet.audit.recordSoon(
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
  const device = await deps.fleet.devices.get(deviceId);
  if (!device) refuse(ErrorCode.NOT_FOUND, `device ${deviceId} does not exist`);
  if (!device?.online) refuse(ErrorCode.CONFLICT, `device ${deviceId} is offline`);
  if (ctx.sessions.active(deviceId).length > 0)
    refuse(ErrorCode.CONFLICT, `device ${deviceId} is already in a video session`);

  const id = `vs-${randomBytes(9)
    .toString('base64url')
    .replace(/[^A-Za-z0-9]/g, 'x')}`;
  const origin = phoneOrigin(deps.phoneOrigin ?? { publicOrigin: undefined, loopbackOnly: true }, request);
  if (!origin.ok) {
    deps.counters.inc(`video.handoff.no_origin.${origin.code}`);
    deps.log.warn('no phone link for this call', { deviceId, code: origin.code, reason: origin.reason });
  }
  const session = new VideoSession(
    id,
    deviceId,
    caseId,
    staff,
    now,
    now + ctx.ringTimeoutMs,
    iceServersFor(id, deps.options ?? {}, now),
    origin.ok ? origin.value : null,
    caller.session,
    (device ? deps.fleet.profiles.get(device.model)?.capabilities.camera : undefined) ?? false,
  );
  ctx.sessions.add(session);
  ctx.sessions.forgetEnded(ENDED_KEEP);
  deps.fleet.audit.recordSoon(
    {
      actor: staff.id,
      actorRole: staff.role,
      action: 'video.request',
      deviceId,
      target: id,
      outcome: 'ok',
      detail: { caseId, ringTimeoutMs: ctx.ringTimeoutMs },
    },
    now,
  );
  armRingTimer(ctx, session);
  await sendDown(ctx, session, {
    kind: 'request',
    staffName: staff.displayName,
    media: { audio: true, video: true },
    expiresAt: session.expiresAt,
    iceServers: session.iceServers,
  });
  await sendHandoff(ctx, session, 'ring');
  return session.view();
}

/** Only the staff member the session is bound to may see or drive it. */
export function sessionFor(ctx: VideoContext, staff: StaffMember, sessionId: string): VideoSession {
  const session = ctx.sessions.get(sessionId);
  if (!session) throw new TouchpointError(ErrorCode.NOT_FOUND, `no video session ${sessionId}`);
  if (session.staff.id !== staff.id) {
    ctx.deps.counters.inc(`video.refused.${ErrorCode.NOT_AUTHORIZED}`);
    ctx.deps.fleet.audit.recordSoon({
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
export async function consoleSignal(
  ctx: VideoContext,
  staff: StaffMember,
  sessionId: string,
  signal: PeerSignal,
): Promise<void> {
  const session = sessionFor(ctx, staff, sessionId);
  if (session.status !== 'accepted' && session.status !== 'connected')
    throw new TouchpointError(ErrorCode.CONFLICT, `video session ${sessionId} is ${session.status}`);
  if (signal.kind === 'answer')
    throw new TouchpointError(ErrorCode.SCHEMA_INVALID, 'the console makes offers; it never answers');
  if (session.peer === 'phone') {
    session.emit('phone', { type: 'signal', from: 'staff', seq: session.downSeq++, signal });
    ctx.sessions.save(session);
  } else await sendDown(ctx, session, signal);
}

/**
 * Staff offer the phone (issue 16): a device without a camera shows the customer a fresh phone code during
 * the call, so they can move it to their phone and show the problem. Audited either way.
 */
export async function offerPhone(ctx: VideoContext, staff: StaffMember, sessionId: string): Promise<VideoSessionView> {
  const session = sessionFor(ctx, staff, sessionId);
  const audit = (outcome: 'ok' | 'refused', detail: Record<string, unknown>) =>
    ctx.deps.fleet.audit.recordSoon(
      {
        actor: staff.id,
        actorRole: staff.role,
        action: 'video.handoff.offer',
        deviceId: session.deviceId,
        target: sessionId,
        outcome,
        detail,
      },
      ctx.now(),
    );
  const refusal = !session.active
    ? { code: ErrorCode.CONFLICT, reason: `video session ${sessionId} has ended` }
    : session.peer === 'phone'
      ? { code: ErrorCode.CONFLICT, reason: 'the call already runs on the phone' }
      : undefined;
  const sent = refusal ? ({ ok: false, ...refusal } as const) : await sendHandoff(ctx, session, 'staff');
  if (!sent.ok) {
    audit('refused', { code: sent.code, reason: sent.reason });
    throw new TouchpointError(sent.code, sent.reason);
  }
  audit('ok', { deviceCamera: session.deviceCamera });
  return session.view();
}

export function hangup(ctx: VideoContext, staff: StaffMember, sessionId: string, reason?: string): VideoSessionView {
  const session = sessionFor(ctx, staff, sessionId);
  if (session.active) endCall(ctx, session, 'staff', 'hangup', reason ?? 'staff hung up');
  return session.view();
}

/**
 * A staff login ended (logout, disabled, role changed, password reset, or
 * found invalid on a stream's re-check; issue 12, item 5). Its video event
 * streams close, and every running call started from it ends, audited as
 * `video.end` by `system` with the reason. Returns how many calls ended.
 */
export function staffSessionsEnded(ctx: VideoContext, ended: StaffSessionsEnded): number {
  const matches = (staffSession: string | undefined, staffId: string) =>
    staffId === ended.staffId && (ended.session === undefined || staffSession === ended.session);
  let calls = 0;
  let streams = 0;
  // Running calls from the database (another process may have started them), streams from this process.
  for (const s of ctx.sessions.active()) {
    if (matches(s.staffSession, s.staff.id)) {
      endCall(ctx, s, 'staff', 'hangup', `the staff session ended (${ended.reason})`, 'system');
      calls++;
    }
  }
  for (const s of ctx.sessions.heldHere())
    streams += s.closeStreams('console', (h) => matches(h.staffSession, s.staff.id));
  if (streams > 0) ctx.deps.counters.inc('video.stream.closed.staff_session', streams);
  return calls;
}
