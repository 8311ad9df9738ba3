import type { Db } from '../db/database.js';
import { statementCache, type Prepare } from '../db/statement-cache.js';

/**
 * Counts failures per key (a client address) in a sliding window. A key with
 * `max` failures in the last `windowMs` is blocked until its oldest failure
 * ages out.
 *
 * In the database (`login_ip_failures`, migration 011; issue 15: "rate limits
 * and login limits live in the database"), so a restart does not forgive an
 * address and every process on the database counts the same failures. Rows
 * older than the window carry nothing and are deleted as failures come in,
 * which bounds the table by the failures one window can hold.
 */
export class FailureLimiter {
  private readonly sql: Prepare;

  constructor(
    db: Db,
    private readonly max: number,
    private readonly windowMs: number,
  ) {
    this.sql = statementCache(db);
  }

  /** How long the key must wait, in ms; 0 when it may try now. */
  retryAfter(key: string, now = Date.now()): number {
    const recent = this.recent(key, now);
    if (recent.length < this.max) return 0;
    return recent[recent.length - this.max]! + this.windowMs - now;
  }

  fail(key: string, now = Date.now()): void {
    this.sql('DELETE FROM login_ip_failures WHERE at <= ?').run(now - this.windowMs);
    this.sql('INSERT INTO login_ip_failures (ip, at) VALUES (?, ?)').run(key, now);
  }

  /** Failures of the key within the window. */
  count(key: string, now = Date.now()): number {
    return this.recent(key, now).length;
  }

  reset(key: string): void {
    this.sql('DELETE FROM login_ip_failures WHERE ip = ?').run(key);
  }

  /** The newest `max` failures of the key within the window, oldest first. */
  private recent(key: string, now: number): number[] {
    const newest = this.sql('SELECT at FROM login_ip_failures WHERE ip = ? AND at > ? ORDER BY at DESC LIMIT ?')
      .pluck()
      .all(key, now - this.windowMs, this.max) as number[];
    return newest.reverse();
  }
}
