import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { CSRF_HEADER, ErrorCode, TouchpointError } from '@touchpoint/protocol';
import { SESSION_COOKIE, readCookie } from '../../http/cookies.js';
import type { StaffMember, Staff } from '../../fleet/staff.js';

/** The logged-in staff member; POSTs must also carry the session's CSRF token (double submit, constant-time compare). */
export function staffOf(req: IncomingMessage, staff: Staff): StaffMember {
  const token = readCookie(req.headers.cookie, SESSION_COOKIE);
  const session = token ? staff.session(token) : undefined;
  if (!session) throw new TouchpointError(ErrorCode.NOT_AUTHORIZED, 'log in first (no valid session)');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const sent = req.headers[CSRF_HEADER];
    const given = Buffer.from(typeof sent === 'string' ? sent : '');
    const expected = Buffer.from(session.csrfToken);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new TouchpointError(ErrorCode.CSRF, `missing or wrong ${CSRF_HEADER} header`);
  }
  return session.staff;
}
