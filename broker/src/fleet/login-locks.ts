import { createHmac } from 'node:crypto';
import type { Db } from '../db/database.js';
import { statementCache, type Prepare } from '../db/statement-cache.js';

export interface LockPolicy {
  /** Failed logins of one account from one client address within `windowMs` before that pair is locked. */
  failures: number;
  windowMs: number;
  /** The first lock of a pair lasts this long; each further lock doubles it (exponential back-off)... */
  lockMs: number;
  /** ...up to this. A pair quiet this long after its last failure or lock starts again at `lockMs`. */
  maxLockMs: number;
}

export const DEFAULT_LOCK_POLICY: LockPolicy = {
  failures: 5,
  windowMs: 15 * 60_000,
  lockMs: 60_000,
  maxLockMs: 24 * 60 * 60_000,
};

interface Row {
  failures: number;
  window_start: number;
  strikes: number;
  locked_until: number;
  updated_at: number;
}

/**
 * Failed logins per (account, client address), in the database (issue 12, Low:
 * "anyone can lock any staff account"). A guesser locks only their own address
 * out of an account, never its owner elsewhere; each lock of the same pair
 * lasts twice as long as the last. The name is stored as a keyed hash
 * (HMAC-SHA-256 with a per-installation key), never in clear, because people
 * type their password into the name field.
 */
export class LoginLocks {
  private readonly sql: Prepare;
  private readonly key: Buffer;

  constructor(
    /** The database the locks live in; the per-address failure counts share it (rate-limit.ts). */
    readonly db: Db,
    readonly policy: LockPolicy = DEFAULT_LOCK_POLICY,
  ) {
    this.sql = statementCache(db);
    this.key = this.sql("SELECT value FROM auth_secrets WHERE name = 'login-name-hmac'").pluck().get() as Buffer;
  }

  /** The keyed hash of a login name, also what failed-login audit entries show for names that are no account. */
  nameHash(name: string): string {
    return createHmac('sha256', this.key).update(name.toLowerCase()).digest('hex').slice(0, 32);
  }

  /** How long this pair must wait, in ms (0: it may try), and its failures in the current window. */
  state(name: string, ip: string, now = Date.now()): { waitMs: number; failures: number } {
    const r = this.row(name, ip);
    if (!r) return { waitMs: 0, failures: 0 };
    return {
      waitMs: Math.max(0, r.locked_until - now),
      failures: now - r.window_start < this.policy.windowMs ? r.failures : 0,
    };
  }

  /**
   * Records a failure; returns the lock it caused in ms (0: not locked yet). Read and write in one IMMEDIATE
   * transaction: API processes sharing the database (issue 15) must not both count from the same row.
   */
  fail(name: string, ip: string, now = Date.now()): number {
    return this.db.transaction(() => this.failIn(name, ip, now)).immediate();
  }

  private failIn(name: string, ip: string, now: number): number {
    const p = this.policy;
    const r = this.row(name, ip);
    const quiet = !r || now - Math.max(r.updated_at, r.locked_until) > p.maxLockMs;
    const inWindow = r !== undefined && now - r.window_start < p.windowMs;
    let failures = (inWindow ? r.failures : 0) + 1;
    const windowStart = inWindow ? r.window_start : now;
    let strikes = quiet ? 0 : r.strikes;
    let lockedUntil = r?.locked_until ?? 0;
    let lockMs = 0;
    if (failures >= p.failures) {
      lockMs = Math.min(p.lockMs * 2 ** strikes, p.maxLockMs);
      lockedUntil = now + lockMs;
      strikes++;
      failures = 0;
    }
    this.sql(
      `INSERT INTO login_locks (name_hash, ip, failures, window_start, strikes, locked_until, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (name_hash, ip) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, strikes = excluded.strikes, locked_until = excluded.locked_until, updated_at = excluded.updated_at`,
    ).run(this.nameHash(name), ip, failures, windowStart, strikes, lockedUntil, now);
    // Rows of pairs quiet for longer than the longest lock carry nothing any more; this keeps the table small.
    this.sql('DELETE FROM login_locks WHERE updated_at < ?').run(now - 2 * p.maxLockMs);
    return lockMs;
  }

  /** A successful login forgets the pair's failures and back-off. */
  succeed(name: string, ip: string): void {
    this.sql('DELETE FROM login_locks WHERE name_hash = ? AND ip = ?').run(this.nameHash(name), ip);
  }

  /** The admin's unlock: lifts every lock on the account, from every address; returns how many were lifted. */
  unlock(name: string, now = Date.now()): number {
    const locked = this.sql('SELECT COUNT(*) FROM login_locks WHERE name_hash = ? AND locked_until > ?')
      .pluck()
      .get(this.nameHash(name), now) as number;
    this.sql('DELETE FROM login_locks WHERE name_hash = ?').run(this.nameHash(name));
    return locked;
  }

  private row(name: string, ip: string): Row | undefined {
    return this.sql(
      'SELECT failures, window_start, strikes, locked_until, updated_at FROM login_locks WHERE name_hash = ? AND ip = ?',
    ).get(this.nameHash(name), ip) as Row | undefined;
  }
}
