import { ErrorCode, changePasswordRequest, okResponse, sessionView } from '@touchpoint/protocol';
import { z } from 'zod';
import { HttpError } from '../errors.js';
import { route, type Route } from '../router.js';
import { clearSessionCookie, setSessionCookie } from '../session.js';

export const authRoutes: Route[] = [
  route({
    method: 'GET',
    path: '/api/me',
    role: 'viewer',
    action: 'staff.me',
    response: sessionView,
    beforePasswordChange: true,
    handle: ({ auth }) => ({
      staff: auth.staff,
      csrfToken: auth.session.csrfToken,
      expiresAt: auth.session.expiresAt,
      mustChangePassword: auth.session.mustChangePassword,
    }),
  }),
  route({
    method: 'POST',
    path: '/api/logout',
    role: 'viewer',
    action: 'staff.logout',
    body: z.object({}),
    response: okResponse,
    beforePasswordChange: true,
    handle: async ({ auth, res }, deps) => {
      // Ending the session tells every channel holding it (live streams, video) through Staff.onSessionsEnded.
      deps.fleet.staff.endSession(auth.token);
      await deps.fleet.audit.record({
        actor: auth.staff.id,
        actorRole: auth.staff.role,
        action: 'staff.logout',
        outcome: 'ok',
        detail: { ip: auth.ip },
      });
      clearSessionCookie(res, deps.secureCookies);
      return { ok: true as const };
    },
  }),
  route({
    // Every member changes their own password; a generated one must be changed before anything else works.
    method: 'POST',
    path: '/api/me/password',
    role: 'viewer',
    action: 'staff.password.change',
    body: changePasswordRequest,
    response: sessionView,
    beforePasswordChange: true,
    handle: async ({ auth, body, res }, deps) => {
      // The current password is a guess like any login: the same throttle and locks apply.
      const admission = deps.throttle.admit(auth.staff.name, auth.ip);
      if (!admission.ok)
        throw new HttpError(ErrorCode.RATE_LIMITED, 'too many failed password checks; try again later', 429, {
          'retry-after': String(Math.max(1, Math.ceil(admission.waitMs / 1000))),
        });
      if (body.newPassword.toLowerCase().includes(auth.staff.name)) {
        admission.done(true);
        throw new HttpError(ErrorCode.SCHEMA_INVALID, 'body: newPassword: must not contain the account name');
      }
      let changed = false;
      try {
        changed = await deps.fleet.staff.changePassword(auth.staff.id, body.currentPassword, body.newPassword);
      } finally {
        admission.done(changed);
      }
      if (!changed) {
        deps.counters.inc('http.password_change.failed');
        // 403, not 401: the session is valid (a 401 would tell the console the session ended).
        throw new HttpError(ErrorCode.BAD_CREDENTIALS, 'the current password is wrong', 403);
      }
      // Every session of the member ended with the old password; this browser continues in a fresh one.
      const session = deps.fleet.staff.createSession(auth.staff.id);
      await deps.fleet.audit.record({
        actor: auth.staff.id,
        actorRole: auth.staff.role,
        action: 'staff.password.change',
        target: auth.staff.id,
        outcome: 'ok',
        detail: { ip: auth.ip, wasRequired: auth.session.mustChangePassword },
      });
      setSessionCookie(res, session.token, session.expiresAt, deps.secureCookies);
      return {
        staff: auth.staff,
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt,
        mustChangePassword: false,
      };
    },
  }),
];
