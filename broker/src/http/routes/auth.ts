import { okResponse, sessionView } from '@touchpoint/protocol';
import { z } from 'zod';
import { route, type Route } from '../router.js';
import { clearSessionCookie } from '../session.js';

export const authRoutes: Route[] = [
  route({
    method: 'GET', path: '/api/me', role: 'viewer', action: 'staff.me', response: sessionView,
    handle: ({ auth }) => ({ staff: auth.staff, csrfToken: auth.session.csrfToken, expiresAt: auth.session.expiresAt }),
  }),
  route({
    method: 'POST', path: '/api/logout', role: 'viewer', action: 'staff.logout', body: z.object({}), response: okResponse,
    handle: ({ auth, res }, deps) => {
      deps.fleet.staff.endSession(auth.token);
      deps.hub.closeSession(auth.token);
      deps.fleet.audit.record({ actor: auth.staff.id, actorRole: auth.staff.role, action: 'staff.logout', outcome: 'ok', detail: { ip: auth.ip } });
      clearSessionCookie(res, deps.secureCookies);
      return { ok: true as const };
    },
  }),
];
