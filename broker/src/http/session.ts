import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { CSRF_HEADER, ErrorCode } from '@touchpoint/protocol';
import type { Staff } from '../fleet/staff.js';
import { SESSION_COOKIE } from './cookies.js';
import type { Authed } from './authed.js';
import { HttpError } from './errors.js';
import { cookieValue } from './request.js';

/** The session cookie: HttpOnly (no script can read it), SameSite=Strict (never sent cross-site). */
export function setSessionCookie(res: ServerResponse, token: string, expiresAt: number, secure: boolean): void {
  const maxAge = Math.max(0, Math.floor((expiresAt - Date.now()) / 1000));
  res.setHeader(
    'set-cookie',
    `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`,
  );
}

export function clearSessionCookie(res: ServerResponse, secure: boolean): void {
  res.setHeader(
    'set-cookie',
    `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`,
  );
}

/**
 * The staff session behind a request, or NOT_AUTHORIZED (401). A member who must still change a generated
 * password gets PASSWORD_CHANGE_REQUIRED (403) unless `passwordChange` says this is one of the few endpoints
 * that allow it (/api/me, logout, the password change).
 */
export function authenticate(
  req: IncomingMessage,
  staff: Staff,
  ip: string,
  opts: { passwordChange?: boolean } = {},
): Authed {
  const token = cookieValue(req, SESSION_COOKIE);
  const session = token ? staff.session(token, { passwordChange: true }) : undefined;
  if (!token || !session) throw new HttpError(ErrorCode.NOT_AUTHORIZED, 'log in first (no valid session)');
  const authed = { staff: session.staff, session, token, ip };
  if (session.mustChangePassword && !opts.passwordChange) throw new PasswordChangeRequired(authed);
  return authed;
}

/** Refusal of a session that must change its password first; carries who it was, so the refusal is audited. */
export class PasswordChangeRequired extends HttpError {
  constructor(readonly authed: Authed) {
    super(ErrorCode.PASSWORD_CHANGE_REQUIRED, 'choose a new password first (POST /api/me/password)');
  }
}

/** Double-submit check: the header must carry the session's CSRF token, compared in constant time. */
export function checkCsrf(req: IncomingMessage, authed: Authed): void {
  const sent = req.headers[CSRF_HEADER];
  const expected = Buffer.from(authed.session.csrfToken);
  const given = Buffer.from(typeof sent === 'string' ? sent : '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HttpError(ErrorCode.CSRF, `missing or wrong ${CSRF_HEADER} header`);
  }
}
