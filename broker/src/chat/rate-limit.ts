import { TokenBucket } from '../token-bucket.js';

/** Messages per second and the burst one sender may write (issue 17: chat is rate-limited per device and per staff). */
export interface ChatRate {
  perSecond: number;
  burst: number;
}

/**
 * A device's burst fits a conversation written offline and replayed from its outbox on reconnect; beyond it a
 * device sends one message a second. Staff get the same: a canned reply per click, not a flood.
 */
export const DEFAULT_DEVICE_CHAT_RATE: ChatRate = { perSecond: 1, burst: 30 };
export const DEFAULT_STAFF_CHAT_RATE: ChatRate = { perSecond: 1, burst: 20 };

/** A token bucket per sender (the broker's one limiter shape, token-bucket.ts); full buckets are forgotten. */
export class ChatRateLimit {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly rate: ChatRate) {}

  /** True when `sender` may send one more message at `now`. */
  take(sender: string, now: number): boolean {
    let bucket = this.buckets.get(sender);
    if (!bucket) {
      // Bounded memory: senders whose bucket refilled carry no state.
      if (this.buckets.size >= 10_000) for (const [k, b] of this.buckets) if (b.full(now)) this.buckets.delete(k);
      bucket = new TokenBucket(this.rate.perSecond, this.rate.burst, now);
      this.buckets.set(sender, bucket);
    }
    return bucket.take(1, now);
  }
}
