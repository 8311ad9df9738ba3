import { ErrorCode, fail, ok, type Result, type SignalMessage } from '@touchpoint/protocol';

/** What the device knows of the call it is in: who it is bound to and how far each direction has counted. */
export interface BoundCall {
  sessionId: string;
  staffId: string;
  /** Highest sequence number accepted from the fleet. */
  lastDownSeq: number;
}

/**
 * Checks a signalling message from the fleet against the call it claims to
 * belong to: same session, same staff member, sent as staff, and a sequence
 * number above every one seen (a replay or a reordered duplicate is refused).
 * Pure, so every rule is unit-tested.
 */
export function checkDown(
  call: BoundCall | undefined,
  message: SignalMessage,
  topicSessionId: string,
): Result<BoundCall> {
  if (message.sessionId !== topicSessionId) return fail(ErrorCode.SCHEMA_INVALID, 'sessionId does not match the topic');
  if (message.from !== 'staff')
    return fail(ErrorCode.NOT_AUTHORIZED, `signalling from ${message.from} may not arrive on the down topic`);
  if (!call || call.sessionId !== message.sessionId)
    return fail(ErrorCode.NOT_FOUND, `no call ${message.sessionId} on this device`);
  if (call.staffId !== message.staffId) return fail(ErrorCode.NOT_AUTHORIZED, 'bound to another staff member');
  if (message.seq <= call.lastDownSeq)
    return fail(ErrorCode.REPLAY, `sequence ${message.seq} is not after ${call.lastDownSeq}`);
  return ok({ ...call, lastDownSeq: message.seq });
}
