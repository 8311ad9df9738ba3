import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { ErrorCode, TouchpointError } from '@touchpoint/protocol';
import type { StaffMember, Staff } from '../../fleet/staff.js';

/** The console's session scheme: HttpOnly cookie `tp_session`, and on state changes the `x-csrf-token` header. */
export const SESSION_COOKIE = 'tp_session';
export const CSRF_HEADER = 'x-csrf-token';

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** The logged-in staff member; POSTs must also carry the session's CSRF token (double submit, constant-time compare). */
export function staffOf(req: IncomingMessage, staff: Staff): StaffMember {
  const token = cookie(req, SESSION_COOKIE);
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
