import { z } from 'zod';
import { ErrorCode } from '../errors.js';
import { deviceIdField, messageBase } from './base.js';

/**
 * Down on `cmd`: a command signed by the fleet service. `id` is the command id;
 * the device checks signature, device, expiry, replay, allow-list, params and
 * preconditions before it runs anything.
 */
export const commandEnvelope = z.object({
  ...messageBase,
  deviceId: deviceIdField,
  action: z.string().min(1).max(64),
  params: z.record(z.string().max(64), z.unknown()),
  issuedAt: z.number().int().nonnegative(),
  expiresAt: z.number().int().nonnegative(),
  issuedBy: z.string().min(1).max(64),
  keyId: z.string().min(1).max(64),
  /** Ed25519 signature over the canonical encoding of every other field, base64. */
  sig: z.string().min(1).max(256),
});
export type CommandEnvelope = z.infer<typeof commandEnvelope>;
export type UnsignedCommand = Omit<CommandEnvelope, 'sig'>;

export const commandStatus = z.enum(['queued', 'delivered', 'accepted', 'rejected', 'succeeded', 'failed', 'expired']);
export type CommandStatus = z.infer<typeof commandStatus>;

const rejectionCodes = [
  ErrorCode.BAD_SIGNATURE,
  ErrorCode.UNTRUSTED_KEY,
  ErrorCode.WRONG_DEVICE,
  ErrorCode.EXPIRED,
  ErrorCode.CLOCK_SKEW,
  ErrorCode.REPLAY,
  ErrorCode.KEY_REVOKED,
  ErrorCode.UNKNOWN_ACTION,
  ErrorCode.BAD_PARAMS,
  ErrorCode.PRECONDITION_FAILED,
  ErrorCode.SCHEMA_INVALID,
] as const;
export const commandRejectionCode = z.enum(rejectionCodes);
export type CommandRejectionCode = z.infer<typeof commandRejectionCode>;

/** Up on `cmd/res`: each outcome of a command, correlated by `commandId`. */
export const commandResultMessage = z.object({
  ...messageBase,
  deviceId: deviceIdField,
  commandId: z.string().min(1).max(64),
  status: z.enum(['accepted', 'rejected', 'succeeded', 'failed', 'expired']),
  code: z.string().max(32).optional(),
  reason: z.string().max(512).optional(),
  output: z.record(z.string().max(64), z.unknown()).optional(),
});
export type CommandResultMessage = z.infer<typeof commandResultMessage>;
