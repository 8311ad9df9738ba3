import { z } from 'zod';
import { staffRoleSchema } from '../api/auth.js';
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
  /**
   * Who issued it, as the customer's receipt names them (issue 16: "by whom (name or role)"). Inside the
   * signature like every field, so a relay cannot put another name on a fix. Absent from older fleets.
   */
  issuer: z.object({ name: z.string().min(1).max(64), role: staffRoleSchema }).optional(),
  keyId: z.string().min(1).max(64),
  /** Ed25519 signature over the canonical encoding of every other field, base64. */
  sig: z.string().min(1).max(256),
});
export type CommandEnvelope = z.infer<typeof commandEnvelope>;
export type UnsignedCommand = Omit<CommandEnvelope, 'sig'>;

export const commandStatus = z.enum(['queued', 'delivered', 'accepted', 'rejected', 'succeeded', 'failed', 'expired']);
export type CommandStatus = z.infer<typeof commandStatus>;

/** The codes a device rejects a command with (its checks, DESIGN.md §2 "Commands"); a type only, `code` is checked as text. */
export type CommandRejectionCode =
  | typeof ErrorCode.BAD_SIGNATURE
  | typeof ErrorCode.UNTRUSTED_KEY
  | typeof ErrorCode.WRONG_DEVICE
  | typeof ErrorCode.EXPIRED
  | typeof ErrorCode.CLOCK_SKEW
  | typeof ErrorCode.REPLAY
  | typeof ErrorCode.KEY_REVOKED
  | typeof ErrorCode.UNKNOWN_ACTION
  | typeof ErrorCode.BAD_PARAMS
  | typeof ErrorCode.PRECONDITION_FAILED
  | typeof ErrorCode.CUSTOMER_DECLINED
  | typeof ErrorCode.CUSTOMER_NO_ANSWER
  | typeof ErrorCode.SCHEMA_INVALID;

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
