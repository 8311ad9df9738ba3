import { ErrorCode, header, signalMessage, signalTopic, type SignalMessage } from '@touchpoint/protocol';
import type { VideoSession } from './session.js';
import type { VideoContext } from './video-context.js';

/**
 * Publishes the fleet's signalling to the call's device on `rtc/{session}/down`, stamped with the
 * staff member and a rising `seq`, checked against the schema first. A failed publish is counted and
 * logged; the call goes on (the device's own checks and timeouts take over).
 */
export async function sendDown(
  ctx: VideoContext,
  session: VideoSession,
  body: Record<string, unknown> & { kind: SignalMessage['kind'] },
): Promise<void> {
  const message = signalMessage.parse({
    ...header(ctx.now()),
    ...body,
    sessionId: session.id,
    seq: session.downSeq++,
    staffId: session.staff.id,
    from: 'staff',
  });
  ctx.sessions.save(session);
  try {
    await ctx.deps.publish(signalTopic(session.deviceId, session.id, 'down'), JSON.stringify(message), {
      qos: 1,
      retain: false,
    });
  } catch (err) {
    ctx.deps.counters.inc('video.publish.failed');
    ctx.deps.log.error('video signal publish failed', {
      sessionId: session.id,
      code: ErrorCode.INTERNAL,
      reason: (err as Error).message,
    });
  }
}
