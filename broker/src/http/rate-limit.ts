/**
 * Counts failures per key in a sliding window. A key with `max` failures in
 * the last `windowMs` is blocked until its oldest failure ages out. Memory is
 * bounded: at most `maxKeys` keys, the stalest evicted first.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly max: number, private readonly windowMs: number, private readonly maxKeys = 10_000) {}

  /** How long the key must wait, in ms; 0 when it may try now. */
  retryAfter(key: string, now = Date.now()): number {
    const recent = this.recent(key, now);
    if (recent.length < this.max) return 0;
    return recent[recent.length - this.max]! + this.windowMs - now;
  }

  fail(key: string, now = Date.now()): void {
    const recent = this.recent(key, now);
    recent.push(now);
    this.failures.delete(key);
    this.failures.set(key, recent.slice(-this.max));
    if (this.failures.size > this.maxKeys) this.failures.delete(this.failures.keys().next().value!);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((at) => at > now - this.windowMs);
  }
}

export interface LoginLimits {
  /** Failed logins per account name before it is locked for the window. */
  perAccount: number;
  /** Failed logins per client address. */
  perIp: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 5, perIp: 30, windowMs: 15 * 60 * 1000 };
