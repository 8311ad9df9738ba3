import {
  actionParamsSchema,
  describeIssues,
  ErrorCode,
  findAction,
  type ActionSpec,
  type CommandEnvelope,
  type CommandRejectionCode,
  type DeviceProfile,
  withParamDefaults,
} from '@touchpoint/protocol';
import { verifyCommand, type TrustedKey } from '@touchpoint/protocol/signing';

/** Trusted keys that change over time: KeyTrust, fed by signed key lists. */
export interface TrustSource {
  trustedAt(now: number): readonly TrustedKey[];
  revocation(keyId: string, now: number): string | undefined;
}

function isTrustSource(value: readonly TrustedKey[] | TrustSource): value is TrustSource {
  return !Array.isArray(value);
}

/** A failed check: the code goes into the `rejected` (or `expired`) result. */
export interface Rejection {
  code: CommandRejectionCode;
  reason: string;
}

/**
 * Checks 1-3 of the order in DESIGN.md §2, which need nothing but the
 * envelope, the trusted keys and the clock: signature (UNTRUSTED_KEY or
 * KEY_REVOKED before BAD_SIGNATURE), target device, then expiry (strict) and issue time against skew.
 */
export function checkAuthenticity(
  command: CommandEnvelope,
  trust: readonly TrustedKey[] | TrustSource,
  deviceId: string,
  now: number,
  skewMs: number,
): Rejection | undefined {
  const source = isTrustSource(trust) ? trust : undefined;
  const verified = verifyCommand(command, source ? source.trustedAt(now) : (trust as readonly TrustedKey[]));
  if (!verified.ok) {
    if (verified.code !== ErrorCode.UNTRUSTED_KEY) return { code: ErrorCode.BAD_SIGNATURE, reason: verified.reason };
    // A key this device trusted once and a newer key list dropped (issue 12 #10): say so.
    const revoked = source?.revocation(command.keyId, now);
    return revoked
      ? { code: ErrorCode.KEY_REVOKED, reason: revoked }
      : { code: ErrorCode.UNTRUSTED_KEY, reason: verified.reason };
  }
  if (command.deviceId !== deviceId)
    return { code: ErrorCode.WRONG_DEVICE, reason: `command is for device ${command.deviceId}, this is ${deviceId}` };
  if (command.expiresAt < command.issuedAt)
    return { code: ErrorCode.EXPIRED, reason: 'command expires before it was issued' };
  // Expiry is strict: the fleet shows a command as expired at expiresAt, so the device must never run it later.
  // The skew allowance only forgives a signer's clock that runs ahead (issuedAt in the future).
  if (now > command.expiresAt) {
    return {
      code: ErrorCode.EXPIRED,
      reason: `command expired at ${new Date(command.expiresAt).toISOString()}, device time ${new Date(now).toISOString()}`,
    };
  }
  if (command.issuedAt > now + skewMs) {
    return {
      code: ErrorCode.CLOCK_SKEW,
      reason: `command issued at ${new Date(command.issuedAt).toISOString()}, ahead of device time ${new Date(now).toISOString()} by more than ${skewMs / 1000} s`,
    };
  }
  return undefined;
}

/** Checks 5-6: the action is on the model's allow-list (and may be pushed remotely), and the params fit its schema. */
export function checkActionAndParams(
  command: CommandEnvelope,
  profile: DeviceProfile,
): { action: ActionSpec; params: Record<string, unknown> } | Rejection {
  const action = findAction(profile, command.action);
  if (!action)
    return {
      code: ErrorCode.UNKNOWN_ACTION,
      reason: `action ${command.action} is not in the ${profile.model} profile`,
    };
  if (!action.remote)
    return {
      code: ErrorCode.UNKNOWN_ACTION,
      reason: `action ${command.action} may only be started on the device itself`,
    };
  const parsed = actionParamsSchema(action).safeParse(command.params);
  if (!parsed.success) return { code: ErrorCode.BAD_PARAMS, reason: describeIssues(parsed.error) };
  // The MCU gets every param explicitly, defaults filled in from the profile.
  return { action, params: withParamDefaults(action, parsed.data) };
}

export function isRejection(value: unknown): value is Rejection {
  return typeof value === 'object' && value !== null && 'code' in value && 'reason' in value;
}
