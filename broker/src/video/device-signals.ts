import { ErrorCode, type SignalMessage } from '@touchpoint/protocol';
import { consent, endCall } from './call-lifecycle.js';
import { sendHandoff } from './phone-links.js';
import type { VideoContext } from './video-context.js';

/**
 * Everything the device sends up on `rtc/{session}/up`, already schema-checked by ingest. Checked
 * here before any of it reaches the console: the session and its device, the sender, the staff
 * binding, a rising sequence number and the call's state. A refusal is counted and logged.
 */
export function onDeviceSignal(ctx: VideoContext, deviceId: string, message: SignalMessage): void {
  const session = ctx.sessions.get(message.sessionId);
  const reject = (code: ErrorCode, reason: string) => {
    ctx.deps.counters.inc(`video.rejected.${code}`);
    ctx.deps.log.warn('video signal rejected', {
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
  ctx.sessions.save(session);
  switch (message.kind) {
    case 'consent':
      if (session.status !== 'ringing') return reject(ErrorCode.CONFLICT, 'consent is only given while ringing');
      // The device knows its own hardware better than the fleet's copy of the model's profile.
      if (message.capabilities) session.deviceCamera = message.capabilities.camera;
      ctx.sessions.save(session);
      return consent(ctx, session, 'device', message.decision);
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
      return endCall(
        ctx,
        session,
        'device',
        session.status === 'ringing' ? 'declined' : 'hangup',
        message.reason ?? 'ended on the device',
      );
    case 'handoff-request':
      // The customer asked on the device for a (new) phone code: while it rings, or to move a call running on the device.
      void sendHandoff(ctx, session, 'device');
      return;
    case 'request':
    case 'offer':
    case 'handoff':
      return reject(ErrorCode.NOT_AUTHORIZED, `a device may not send ${message.kind}`);
  }
}
