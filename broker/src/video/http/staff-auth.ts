import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { CSRF_HEADER, ErrorCode, TouchpointError } from '@touchpoint/protocol';
import { SESSION_COOKIE, readCookie } from '../../http/cookies.js';
import type { Staff } from '../../fleet/staff.js';
import { staffSessionKey } from '../session.js';
import type { StaffCaller } from '../video-service.js';

/**
 * The logged-in staff member and the login session the request came with;
 * POSTs must also carry the session's CSRF token (double submit,
 * constant-time compare). `recheck` answers later whether that login still
 * stands for the same member (it is looked up again each time).
 */
export function staffCallerOf(req: IncomingMessage, staff: Staff): StaffCaller & { recheck(): boolean } {
  const token = readCookie(req.headers.cookie, SESSION_COOKIE);
  const session = token ? staff.session(token) : undefined;
  if (!token || !session) throw new TouchpointError(ErrorCode.NOT_AUTHORIZED, 'log in first (no valid session)');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const sent = req.headers[CSRF_HEADER];
    const given = Buffer.from(typeof sent === 'string' ? sent : '');
    const expected = Buffer.from(session.csrfToken);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new TouchpointError(ErrorCode.CSRF, `missing or wrong ${CSRF_HEADER} header`);
  }
  const member = session.staff;
  return {
    staff: member,
    session: staffSessionKey(token),
    recheck: () => {
      const now = staff.session(token);
      return now !== undefined && now.staff.id === member.id && now.staff.role === member.role;
    },
  };
}
