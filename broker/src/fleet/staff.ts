import { randomBytes } from 'node:crypto';
import { ErrorCode, TouchpointError } from '@touchpoint/protocol';
import { SafeEventEmitter } from '@touchpoint/runtime';
import { z } from 'zod';
import { statementCache, type Prepare } from '../db/statement-cache.js';
import type { Db } from '../db/database.js';
import { hashPassword, hashToken, newPassword, verifyPassword } from './credentials.js';

export const staffRole = z.enum(['viewer', 'agent', 'admin']);
export type StaffRole = z.infer<typeof staffRole>;

const RANK: Record<StaffRole, number> = { viewer: 1, agent: 2, admin: 3 };

/** A viewer reads; an agent also fixes and calls; an admin also provisions and manages staff. */
export function roleAllows(role: StaffRole, needed: StaffRole): boolean {
  return RANK[role] >= RANK[needed];
}

export interface StaffMember {
  id: string;
  name: string;
  displayName: string;
  role: StaffRole;
}

export interface StaffSession {
  staff: StaffMember;
  csrfToken: string;
  expiresAt: number;
  /** The member still has a generated password: only /api/me, logout and the password change work. */
  mustChangePassword: boolean;
}

/** Why a member's sessions ended; `token` set: only that one session (logout), otherwise all of them. */
export interface SessionsEnded {
  staffId: string;
  token?: string | undefined;
  reason: 'logout' | 'disabled' | 'role' | 'password-reset' | 'password-change';
}

const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/**
 * Staff accounts (scrypt passwords) and their login sessions (random tokens,
 * stored hashed). Whenever sessions end, listeners of `onSessionsEnded` hear
 * it at once, so every channel a member holds (the console's live stream,
 * video event streams and calls) closes with the session (issue 12, item 5).
 */
export class Staff {
  private readonly sql: Prepare;
  /** A listener that throws is reported, and the channels after it still close. */
  private readonly sessionEvents: SafeEventEmitter<{ ended: [SessionsEnded] }>;

  constructor(
    private readonly db: Db,
    onListenerError: (err: unknown) => void = (err) =>
      process.emitWarning(`staff session listener failed: ${(err as Error).message}`),
  ) {
    this.sql = statementCache(db);
    this.sessionEvents = new SafeEventEmitter((_event, err) => onListenerError(err));
  }

  /** Called after sessions ended (logout, disable, role change, password reset or change); returns the unsubscribe. */
  onSessionsEnded(listener: (e: SessionsEnded) => void): () => void {
    return this.sessionEvents.subscribe('ended', listener);
  }

  /**
   * `mustChangePassword`: the generated password works only to choose a new one (first start, `staff add`,
   * POST /api/staff). Code that makes accounts for itself (tests, benchmarks) leaves it off.
   */
  async add(
    name: string,
    role: StaffRole,
    displayName = name,
    opts: { mustChangePassword?: boolean } = {},
  ): Promise<{ staff: StaffMember; password: string }> {
    if (!/^[a-z][a-z0-9._-]{1,31}$/.test(name))
      throw new TouchpointError(
        ErrorCode.SCHEMA_INVALID,
        `staff name ${JSON.stringify(name)} must be 2-32 lower-case characters (a-z 0-9 . _ -)`,
      );
    staffRole.parse(role);
    const password = newPassword();
    const staff: StaffMember = { id: `st-${randomBytes(6).toString('hex')}`, name, displayName, role };
    try {
      this.sql(
        'INSERT INTO staff (id, name, display_name, role, password_hash, created_at, must_change_password) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(
        staff.id,
        name,
        displayName,
        role,
        await hashPassword(password),
        Date.now(),
        opts.mustChangePassword ? 1 : 0,
      );
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new TouchpointError(ErrorCode.DUPLICATE, `staff member ${name} already exists`);
      throw err;
    }
    return { staff, password };
  }

  count(): number {
    return this.sql('SELECT COUNT(*) FROM staff').pluck().get() as number;
  }

  list(): StaffMember[] {
    return (
      this.sql('SELECT id, name, display_name, role FROM staff WHERE disabled = 0 ORDER BY name').all() as {
        id: string;
        name: string;
        display_name: string;
        role: StaffRole;
      }[]
    ).map((r) => ({ id: r.id, name: r.name, displayName: r.display_name, role: r.role }));
  }

  get(id: string): StaffMember | undefined {
    const r = this.sql('SELECT id, name, display_name, role FROM staff WHERE id = ? AND disabled = 0').get(id) as
      { id: string; name: string; display_name: string; role: StaffRole } | undefined;
    return r ? { id: r.id, name: r.name, displayName: r.display_name, role: r.role } : undefined;
  }

  /** Checks a password; the same scrypt work is done for unknown names so timing does not reveal them. */
  async verify(name: string, password: string): Promise<(StaffMember & { mustChangePassword: boolean }) | undefined> {
    const r = this.sql(
      'SELECT id, name, display_name, role, password_hash, must_change_password FROM staff WHERE name = ? AND disabled = 0',
    ).get(name) as
      | {
          id: string;
          name: string;
          display_name: string;
          role: StaffRole;
          password_hash: string;
          must_change_password: number;
        }
      | undefined;
    const ok = await verifyPassword(
      password,
      r?.password_hash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    );
    return r && ok
      ? {
          id: r.id,
          name: r.name,
          displayName: r.display_name,
          role: r.role,
          mustChangePassword: r.must_change_password === 1,
        }
      : undefined;
  }

  createSession(staffId: string, now = Date.now()): { token: string; csrfToken: string; expiresAt: number } {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = now + SESSION_TTL_MS;
    this.sql(
      'INSERT INTO staff_sessions (token_hash, staff_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    ).run(hashToken(token), staffId, csrfToken, now, expiresAt);
    return { token, csrfToken, expiresAt };
  }

  /** Whether a login name is an account (failed logins show only existing names in clear). */
  exists(name: string): boolean {
    return this.sql('SELECT 1 FROM staff WHERE name = ?').get(name) !== undefined;
  }

  /**
   * The session behind a token. A member who must still change a generated password has no usable session
   * for anything else: unless the caller is one of the few places that allow it (`passwordChange: true`),
   * the session reads as absent, so every channel refuses it by default.
   */
  session(token: string, opts: { passwordChange?: boolean } = {}, now = Date.now()): StaffSession | undefined {
    const r = this.sql(
      'SELECT s.staff_id, s.csrf_token, s.expires_at, m.must_change_password FROM staff_sessions s JOIN staff m ON m.id = s.staff_id WHERE s.token_hash = ?',
    ).get(hashToken(token)) as
      { staff_id: string; csrf_token: string; expires_at: number; must_change_password: number } | undefined;
    if (!r || r.expires_at < now) return undefined;
    if (r.must_change_password === 1 && !opts.passwordChange) return undefined;
    const staff = this.get(r.staff_id);
    return staff
      ? { staff, csrfToken: r.csrf_token, expiresAt: r.expires_at, mustChangePassword: r.must_change_password === 1 }
      : undefined;
  }

  /** Every account, including disabled ones, for the admin's staff list. */
  listAll(): (StaffMember & { disabled: boolean })[] {
    return (
      this.sql('SELECT id, name, display_name, role, disabled FROM staff ORDER BY name').all() as {
        id: string;
        name: string;
        display_name: string;
        role: StaffRole;
        disabled: number;
      }[]
    ).map((r) => ({ id: r.id, name: r.name, displayName: r.display_name, role: r.role, disabled: r.disabled === 1 }));
  }

  /** Display names by id, disabled accounts included, so old audit entries still read well. */
  displayNames(): Map<string, string> {
    return new Map(
      (this.sql('SELECT id, display_name FROM staff').all() as { id: string; display_name: string }[]).map((r) => [
        r.id,
        r.display_name,
      ]),
    );
  }

  /** Changes a role or disables an account; either ends the member's sessions so the change applies at once. */
  update(id: string, change: { role?: StaffRole; disabled?: boolean }): StaffMember & { disabled: boolean } {
    const current = this.listAll().find((m) => m.id === id);
    if (!current) throw new TouchpointError(ErrorCode.NOT_FOUND, `staff member ${id} does not exist`);
    const role = change.role ? staffRole.parse(change.role) : current.role;
    const disabled = change.disabled ?? current.disabled;
    const ends = disabled ? 'disabled' : role !== current.role ? 'role' : undefined;
    this.db.transaction(() => {
      this.sql('UPDATE staff SET role = ?, disabled = ? WHERE id = ?').run(role, disabled ? 1 : 0, id);
      if (ends) this.sql('DELETE FROM staff_sessions WHERE staff_id = ?').run(id);
    })();
    if (ends) this.ended({ staffId: id, reason: ends });
    return { ...current, role, disabled };
  }

  /** Issues a new one-time password (to be changed at the next login) and ends the member's sessions. */
  async resetPassword(id: string): Promise<string> {
    const password = newPassword();
    const hash = await hashPassword(password);
    const res = this.sql('UPDATE staff SET password_hash = ?, must_change_password = 1 WHERE id = ?').run(hash, id);
    if (res.changes === 0) throw new TouchpointError(ErrorCode.NOT_FOUND, `staff member ${id} does not exist`);
    this.sql('DELETE FROM staff_sessions WHERE staff_id = ?').run(id);
    this.ended({ staffId: id, reason: 'password-reset' });
    return password;
  }

  /**
   * The member's own change: checks the current password, stores the new one, clears must-change and ends
   * every session of the member (the caller opens a fresh one), so a stolen session dies with the old password.
   * Returns false when the current password is wrong.
   */
  async changePassword(id: string, current: string, next: string): Promise<boolean> {
    const r = this.sql('SELECT password_hash FROM staff WHERE id = ? AND disabled = 0').get(id) as
      { password_hash: string } | undefined;
    if (!r || !(await verifyPassword(current, r.password_hash))) return false;
    const hash = await hashPassword(next);
    this.db.transaction(() => {
      this.sql('UPDATE staff SET password_hash = ?, must_change_password = 0 WHERE id = ?').run(hash, id);
      this.sql('DELETE FROM staff_sessions WHERE staff_id = ?').run(id);
    })();
    this.ended({ staffId: id, reason: 'password-change' });
    return true;
  }

  endSession(token: string): void {
    const r = this.sql('SELECT staff_id FROM staff_sessions WHERE token_hash = ?').get(hashToken(token)) as
      { staff_id: string } | undefined;
    this.sql('DELETE FROM staff_sessions WHERE token_hash = ?').run(hashToken(token));
    if (r) this.ended({ staffId: r.staff_id, token, reason: 'logout' });
  }

  private ended(e: SessionsEnded): void {
    this.sessionEvents.emit('ended', e);
  }
}
