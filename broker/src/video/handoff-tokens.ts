import { createHash, randomBytes } from 'node:crypto';
import { ErrorCode, fail, ok, type Result } from '@touchpoint/protocol';

interface Grant {
  sessionId: string;
  deviceId: string;
  expiresAt: number;
  usedAt: number | null;
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Phone links: 256-bit random tokens, kept only as hashes, bound to one
 * session and its device, short-lived and single-use. A used or expired token
 * is remembered until it would have expired, so a second use gets a clear
 * refusal instead of "not found".
 */
export class HandoffTokens {
  private readonly grants = new Map<string, Grant>();

  issue(sessionId: string, deviceId: string, ttlMs: number, now: number): { token: string; expiresAt: number } {
    this.sweep(now);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + ttlMs;
    this.grants.set(hash(token), { sessionId, deviceId, expiresAt, usedAt: null });
    return { token, expiresAt };
  }

  /** The one use of a token. */
  claim(token: string, now: number): Result<{ sessionId: string; deviceId: string }> {
    const grant = this.grants.get(hash(token));
    if (!grant || grant.expiresAt <= now) return fail(ErrorCode.EXPIRED, 'this link has expired or does not exist');
    if (grant.usedAt !== null) return fail(ErrorCode.REPLAY, 'this link was already used');
    grant.usedAt = now;
    return ok({ sessionId: grant.sessionId, deviceId: grant.deviceId });
  }

  /** Every link of a session stops working when the session ends. */
  revoke(sessionId: string): void {
    for (const [key, grant] of this.grants) if (grant.sessionId === sessionId) this.grants.delete(key);
  }

  private sweep(now: number): void {
    for (const [key, grant] of this.grants) if (grant.expiresAt <= now) this.grants.delete(key);
  }
}
