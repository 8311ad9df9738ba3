import { ErrorCode } from '@touchpoint/protocol';
import type { SignRequestCommand } from '@touchpoint/protocol/signing';
import { TokenBucket } from '../token-bucket.js';

export interface SignerPolicyOptions {
  /** Actions this signer signs; anything else is refused whatever the broker says. */
  allowActions: ReadonlySet<string>;
  /** Signatures per minute over all devices. */
  perMinute: number;
  /** Signatures per minute for one device. */
  perDevicePerMinute: number;
  /** Longest validity a command may ask for. */
  maxTtlMs: number;
  /** How far issuedAt may be from the signer's clock. */
  maxClockSkewMs: number;
}

export const DEFAULT_SIGNER_POLICY: Omit<SignerPolicyOptions, 'allowActions'> = {
  perMinute: 120,
  perDevicePerMinute: 20,
  maxTtlMs: 7 * 24 * 60 * 60 * 1000,
  maxClockSkewMs: 5 * 60 * 1000,
};

export interface PolicyRefusal {
  code: typeof ErrorCode.SIGNER_REFUSED | typeof ErrorCode.RATE_LIMITED;
  reason: string;
}

/** `perMinute` signatures, refilled evenly over a minute. */
function perMinuteBucket(perMinute: number, now: number): TokenBucket {
  return new TokenBucket(perMinute / 60, perMinute, now);
}

const MAX_TRACKED_DEVICES = 10_000;

/**
 * The signer's own policy (issue 12 item 10): it does not trust the broker's
 * checks, so a compromised broker can get signatures only for allowed actions,
 * with sane validity, at a bounded rate.
 */
export class SignerPolicy {
  private readonly global: TokenBucket;
  private readonly devices = new Map<string, TokenBucket>();

  constructor(
    readonly options: SignerPolicyOptions,
    now: number = Date.now(),
  ) {
    this.global = perMinuteBucket(options.perMinute, now);
  }

  check(command: SignRequestCommand, now: number = Date.now()): PolicyRefusal | undefined {
    const o = this.options;
    if (!o.allowActions.has(command.action))
      return { code: ErrorCode.SIGNER_REFUSED, reason: `the signer does not sign action ${command.action}` };
    if (Math.abs(command.issuedAt - now) > o.maxClockSkewMs)
      return {
        code: ErrorCode.SIGNER_REFUSED,
        reason: `issuedAt is more than ${o.maxClockSkewMs / 1000} s from the signer's clock`,
      };
    if (command.expiresAt <= command.issuedAt || command.expiresAt - command.issuedAt > o.maxTtlMs) {
      return { code: ErrorCode.SIGNER_REFUSED, reason: `validity must be between 0 and ${o.maxTtlMs / 1000} s` };
    }
    const device = this.deviceBucket(command.deviceId, now);
    // The device bucket first: one noisy device must not drain the fleet-wide budget.
    if (!device.take(1, now))
      return {
        code: ErrorCode.RATE_LIMITED,
        reason: `more than ${o.perDevicePerMinute} signatures per minute for device ${command.deviceId}`,
      };
    if (!this.global.take(1, now))
      return { code: ErrorCode.RATE_LIMITED, reason: `more than ${o.perMinute} signatures per minute` };
    return undefined;
  }

  private deviceBucket(deviceId: string, now: number): TokenBucket {
    let bucket = this.devices.get(deviceId);
    if (!bucket) {
      if (this.devices.size >= MAX_TRACKED_DEVICES) {
        // A full bucket holds no information; forgetting it changes nothing.
        for (const [id, b] of this.devices) if (b.full(now)) this.devices.delete(id);
        // Still full: forget the oldest, which can then sign a little early; the global bucket still holds.
        if (this.devices.size >= MAX_TRACKED_DEVICES) this.devices.delete(this.devices.keys().next().value as string);
      }
      bucket = perMinuteBucket(this.options.perDevicePerMinute, now);
      this.devices.set(deviceId, bucket);
    }
    return bucket;
  }
}
