import { TokenBucket } from '../token-bucket.js';

/**
 * What one device may send the fleet service (issue 12 #9: 2,000 valid 251 KB
 * messages from one device took the broker from 242 MB to 914 MB and grew the
 * database by 480 MB). Two token buckets per device, one counting messages and
 * one counting payload bytes; each refills at a steady rate up to its burst.
 *
 * The defaults sit far above what an honest agent sends: it reports diagnostics
 * once a minute by default (at most 20 per second at its fastest setting), and
 * the burst holds its whole outbox (20,000 entries or 8 MiB by default), so a
 * device that replays a long offline stretch in one go is never refused.
 */
export interface DeviceBudgetLimits {
  /** Messages a device may send per second, sustained. */
  messagesPerSecond: number;
  /** Messages a device may send at once after a quiet spell. */
  messageBurst: number;
  /** Payload bytes a device may send per second, sustained. */
  bytesPerSecond: number;
  /** Payload bytes a device may send at once after a quiet spell. */
  byteBurst: number;
}

export const DEFAULT_DEVICE_BUDGET: DeviceBudgetLimits = {
  messagesPerSecond: 20,
  messageBurst: 20_000,
  bytesPerSecond: 64 * 1024,
  byteBurst: 16 * 1024 * 1024,
};

/** Why a message was refused, for the quarantine record and the log. */
export type BudgetRefusal = 'messages' | 'bytes';

/**
 * Per-device buckets. Only authenticated device ids reach it, so the map is
 * bounded by the fleet; full buckets are forgotten now and then anyway.
 */
export class DeviceBudget {
  private readonly buckets = new Map<string, { messages: TokenBucket; bytes: TokenBucket }>();
  private takes = 0;

  constructor(private readonly limits: DeviceBudgetLimits) {}

  /** Spends one message and `bytes` bytes of the device's budget; returns what ran out, or null when it was spent. */
  spend(deviceId: string, bytes: number, now: number): BudgetRefusal | null {
    if (++this.takes % 10_000 === 0) this.forgetFull(now);
    let b = this.buckets.get(deviceId);
    if (!b) {
      b = {
        messages: new TokenBucket(this.limits.messagesPerSecond, this.limits.messageBurst, now),
        bytes: new TokenBucket(this.limits.bytesPerSecond, this.limits.byteBurst, now),
      };
      this.buckets.set(deviceId, b);
    }
    if (!b.messages.take(1, now)) return 'messages';
    if (!b.bytes.take(bytes, now)) {
      b.messages.give(1);
      return 'bytes';
    }
    return null;
  }

  describe(refusal: BudgetRefusal): string {
    return refusal === 'messages'
      ? `device sent more than ${this.limits.messagesPerSecond} messages/s (burst ${this.limits.messageBurst})`
      : `device sent more than ${this.limits.bytesPerSecond} bytes/s (burst ${this.limits.byteBurst})`;
  }

  private forgetFull(now: number): void {
    for (const [id, b] of this.buckets) if (b.messages.full(now) && b.bytes.full(now)) this.buckets.delete(id);
  }
}
