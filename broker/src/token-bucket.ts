/**
 * The broker's one rate limiter shape: the per-device ingest budget and the
 * signer's policy both count with it.
 */
/** A token bucket: `take` succeeds while tokens remain; tokens come back at `rate` per second up to `burst`. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  /** Takes `n` tokens if there are that many (after refilling to `now`). */
  take(n: number, now: number): boolean {
    this.refill(now);
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Gives back `n` tokens (the other bucket of a pair refused the message). */
  give(n: number): void {
    this.tokens = Math.min(this.burst, this.tokens + n);
  }

  /** Whether the bucket is full at `now`: a full bucket carries no state and can be forgotten. */
  full(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    // A clock that steps back refills nothing; it never takes tokens away either.
    if (now > this.at) this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = Math.max(this.at, now);
  }
}
