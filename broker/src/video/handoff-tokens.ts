import { createHash, randomBytes } from 'node:crypto';
import { ErrorCode, fail, ok, type Result } from '@touchpoint/protocol';

interface Grant {
  sessionId: string;
  deviceId: string;
  expiresAt: number;
  usedAt: number | null;
  /** Set when a newer link or a claim replaced this one (issue 12, item 8). */
  revokedAt: number | null;
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
 */
export class HandoffTokens {
  private readonly grants = new Map<string, Grant>();

  issue(sessionId: string, deviceId: string, ttlMs: number, now: number): { token: string; expiresAt: number } {
    this.sweep(now);
    this.revokeOthers(sessionId, null, now);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + ttlMs;
    this.grants.set(hash(token), { sessionId, deviceId, expiresAt, usedAt: null, revokedAt: null });
    return { token, expiresAt };
  }

  /** The one use of a token; it revokes every other link of the session. */
  claim(token: string, now: number): Result<{ sessionId: string; deviceId: string }> {
    const key = hash(token);
    const grant = this.grants.get(key);
    if (!grant || grant.expiresAt <= now) return fail(ErrorCode.EXPIRED, 'this link has expired or does not exist');
    if (grant.usedAt !== null) return fail(ErrorCode.REPLAY, 'this link was already used');
    if (grant.revokedAt !== null) return fail(ErrorCode.EXPIRED, 'this link was replaced by a newer one');
    grant.usedAt = now;
    this.revokeOthers(grant.sessionId, key, now);
    return ok({ sessionId: grant.sessionId, deviceId: grant.deviceId });
  }

  /** Which call a token was issued for, while it is remembered (so a refused claim is audited against its call). */
  callOf(token: string): { sessionId: string; deviceId: string } | undefined {
    const grant = this.grants.get(hash(token));
    return grant ? { sessionId: grant.sessionId, deviceId: grant.deviceId } : undefined;
  }

  /** Every link of a session stops working (the call ended, or the customer consented on the device). */
  revoke(sessionId: string, now: number): void {
    this.revokeOthers(sessionId, null, now);
  }

  /** Links of this session that could still be claimed (tests and diagnostics). */
  live(sessionId: string, now: number): number {
    let n = 0;
    for (const g of this.grants.values())
      if (g.sessionId === sessionId && g.usedAt === null && g.revokedAt === null && g.expiresAt > now) n++;
    return n;
  }

  private revokeOthers(sessionId: string, keep: string | null, now: number): void {
    for (const [key, grant] of this.grants)
      if (key !== keep && grant.sessionId === sessionId && grant.usedAt === null) grant.revokedAt ??= now;
  }

  private sweep(now: number): void {
    for (const [key, grant] of this.grants) if (grant.expiresAt <= now) this.grants.delete(key);
  }
}
