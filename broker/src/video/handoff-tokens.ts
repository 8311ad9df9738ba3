import { createHash, randomBytes } from 'node:crypto';
import { ErrorCode, fail, ok, type Result } from '@touchpoint/protocol';
import type { Db } from '../db/database.js';
import { statementCache, type Prepare } from '../db/statement-cache.js';

interface Grant {
  session_id: string;
  device_id: string;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Phone links: 256-bit random tokens, kept only as hashes, bound to one
 * session and its device, short-lived and single-use.
 *
 * One link per session at a time (issue 12, item 8): issuing a link revokes
 * the session's earlier ones, and a claim revokes every other link of its
 * session, so two phones can never both hold a way into the same call. A
 * used, replaced or expired token is remembered until it would have expired,
 * so a second use gets a clear refusal instead of "not found".
 *
 * In the database (`video_handoff_tokens`, migration 011, issue 15): a link
 * issued before a restart works after it, and one claim wins across every
 * process on the database, because the claim is a single conditional UPDATE.
 */
export class HandoffTokens {
  private readonly sql: Prepare;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  issue(sessionId: string, deviceId: string, ttlMs: number, now: number): { token: string; expiresAt: number } {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + ttlMs;
    // IMMEDIATE: other processes write this table too, and a deferred transaction that read first could not
    // wait for the write lock (SQLITE_BUSY at once in WAL mode).
    this.db
      .transaction(() => {
        this.sql('DELETE FROM video_handoff_tokens WHERE expires_at <= ?').run(now);
        this.revokeOthers(sessionId, null, now);
        this.sql(
          'INSERT INTO video_handoff_tokens (token_hash, session_id, device_id, expires_at) VALUES (?, ?, ?, ?)',
        ).run(hash(token), sessionId, deviceId, expiresAt);
      })
      .immediate();
    return { token, expiresAt };
  }

  /** The one use of a token; it revokes every other link of the session. */
  claim(token: string, now: number): Result<{ sessionId: string; deviceId: string }> {
    const key = hash(token);
    return this.db
      .transaction((): Result<{ sessionId: string; deviceId: string }> => {
        const grant = this.grant(key);
        if (!grant || grant.expires_at <= now)
          return fail(ErrorCode.EXPIRED, 'this link has expired or does not exist');
        if (grant.used_at !== null) return fail(ErrorCode.REPLAY, 'this link was already used');
        if (grant.revoked_at !== null) return fail(ErrorCode.EXPIRED, 'this link was replaced by a newer one');
        // Conditional, so two processes claiming at once cannot both win.
        const won = this.sql(
          'UPDATE video_handoff_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL',
        ).run(now, key).changes;
        if (won === 0) return fail(ErrorCode.REPLAY, 'this link was already used');
        this.revokeOthers(grant.session_id, key, now);
        return ok({ sessionId: grant.session_id, deviceId: grant.device_id });
      })
      .immediate();
  }

  /** Which call a token was issued for, while it is remembered (so a refused claim is audited against its call). */
  callOf(token: string): { sessionId: string; deviceId: string } | undefined {
    const grant = this.grant(hash(token));
    return grant ? { sessionId: grant.session_id, deviceId: grant.device_id } : undefined;
  }

  /** Every link of a session stops working (the call ended, or the customer consented on the device). */
  revoke(sessionId: string, now: number): void {
    this.revokeOthers(sessionId, null, now);
  }

  /** Links of this session that could still be claimed (tests and diagnostics). */
  live(sessionId: string, now: number): number {
    return this.sql(
      'SELECT COUNT(*) FROM video_handoff_tokens WHERE session_id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?',
    )
      .pluck()
      .get(sessionId, now) as number;
  }

  private grant(key: string): Grant | undefined {
    return this.sql(
      'SELECT session_id, device_id, expires_at, used_at, revoked_at FROM video_handoff_tokens WHERE token_hash = ?',
    ).get(key) as Grant | undefined;
  }

  private revokeOthers(sessionId: string, keep: string | null, now: number): void {
    this.sql(
      'UPDATE video_handoff_tokens SET revoked_at = ? WHERE session_id = ? AND used_at IS NULL AND revoked_at IS NULL AND token_hash IS NOT ?',
    ).run(now, sessionId, keep);
  }
}
