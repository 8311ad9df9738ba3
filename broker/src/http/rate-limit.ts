import { FailureLimiter } from '../fleet/login-failures.js';
import type { LoginLocks } from '../fleet/login-locks.js';

export interface LoginLimits {
  /** Failed logins of one account from one address before that pair is locked (then back-off doubles per lock). */
  perAccount: number;
  /** Failed logins per client address, whatever the names, within `windowMs`. */
  perIp: number;
  windowMs: number;
  /** The first lock of an (account, address) pair; each further lock doubles it, up to `maxLockMs`. */
  lockMs: number;
  maxLockMs: number;
  /** Password checks (scrypt) running at once for one account, from all addresses together. */
  concurrentPerAccount: number;
  /** Password checks running at once for one client address, whatever the names. */
  concurrentPerIp: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAccount: 5,
  perIp: 30,
  windowMs: 15 * 60_000,
  lockMs: 5 * 60_000,
  maxLockMs: 24 * 60 * 60_000,
  concurrentPerAccount: 4,
  concurrentPerIp: 4,
};

export type Admission =
  | {
      ok: true;
      /** Ends the attempt; returns the lock it caused in ms (0: none). Only the first call counts. */ done(
        success: boolean,
      ): number;
    }
  | { ok: false; waitMs: number; reason: 'locked' | 'address-limited' | 'busy' };

/**
 * Admits login attempts before any password is hashed (issue 12, item 4: the
 * old check-then-act let 60 parallel guesses all be evaluated against a limit
 * of 5). `admit` checks and reserves in one synchronous step, so an attempt in
 * flight already counts as a failure until it succeeds; nothing can slip in
 * between the check and the reservation. Locks are per (account, address) and
 * live in `LoginLocks`, failures per address in `FailureLimiter`: both in the
 * database, shared by every process (issue 15). In-flight counts are per
 * process: they bound the password hashing this process does (docs/scale-out.md).
 */
export class LoginThrottle {
  private readonly pendingPair = new Map<string, number>();
  private readonly inflightAccount = new Map<string, number>();
  private readonly inflightIp = new Map<string, number>();
  private readonly ipFailures: FailureLimiter;

  constructor(
    readonly locks: LoginLocks,
    private readonly limits: LoginLimits,
  ) {
    this.ipFailures = new FailureLimiter(locks.db, limits.perIp, limits.windowMs);
  }

  admit(name: string, ip: string, now = Date.now()): Admission {
    const l = this.limits;
    const pairKey = `${name}\u0000${ip}`;
    const pair = this.locks.state(name, ip, now);
    if (pair.waitMs > 0) return { ok: false, waitMs: pair.waitMs, reason: 'locked' };
    const ipWait = this.ipFailures.retryAfter(ip, now);
    if (ipWait > 0) return { ok: false, waitMs: ipWait, reason: 'address-limited' };
    const ipInflight = this.inflightIp.get(ip) ?? 0;
    // Attempts in flight count as failures until they succeed: at most the limit can ever be evaluated.
    if (this.ipFailures.count(ip, now) + ipInflight >= l.perIp)
      return { ok: false, waitMs: 1000, reason: 'address-limited' };
    if (pair.failures + (this.pendingPair.get(pairKey) ?? 0) >= l.perAccount)
      return { ok: false, waitMs: 1000, reason: 'locked' };
    if ((this.inflightAccount.get(name) ?? 0) >= l.concurrentPerAccount || ipInflight >= l.concurrentPerIp)
      return { ok: false, waitMs: 1000, reason: 'busy' };
    bump(this.pendingPair, pairKey, 1);
    bump(this.inflightAccount, name, 1);
    bump(this.inflightIp, ip, 1);
    let finished = false;
    return {
      ok: true,
      done: (success) => {
        if (finished) return 0;
        finished = true;
        bump(this.pendingPair, pairKey, -1);
        bump(this.inflightAccount, name, -1);
        bump(this.inflightIp, ip, -1);
        if (success) {
          this.locks.succeed(name, ip);
          return 0;
        }
        this.ipFailures.fail(ip);
        return this.locks.fail(name, ip);
      },
    };
  }

  /** Password checks in flight (for tests and /api/health). */
  get inflight(): number {
    let n = 0;
    for (const v of this.inflightIp.values()) n += v;
    return n;
  }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const next = (map.get(key) ?? 0) + by;
  if (next <= 0) map.delete(key);
  else map.set(key, next);
}
