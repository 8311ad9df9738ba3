import { ErrorCode, loginRequest, sessionView } from '@touchpoint/protocol';
import type { ApiDeps } from '../context.js';
import { HttpError } from '../errors.js';
import { clientIp, parseWith, readJsonBody, sameOrigin } from '../request.js';
import { sendError } from '../router.js';
import { setSecurityHeaders } from '../security-headers.js';
import { setSessionCookie } from '../session.js';
import { sendJson, type HttpHandler } from '../server.js';

/**
 * POST /api/login: the one API call without a session. Rate-limited per
 * account name and per client address (failures only, checked before any
 * password hashing), and every attempt is audited.
 */
export function loginHandler(deps: ApiDeps): HttpHandler {
  return async (req, res) => {
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/api/login') return false;
    setSecurityHeaders(res, 'api');
    const ip = clientIp(req);
    let name: string | undefined;
    const audit = (outcome: 'ok' | 'refused' | 'failed', detail: Record<string, unknown>, actor = 'anonymous', actorRole?: string) =>
      deps.fleet.audit.record({ actor, actorRole, action: 'staff.login', target: name, outcome, detail: { ip, ...detail } });
    try {
      if (!sameOrigin(req)) throw new HttpError(ErrorCode.CSRF, 'cross-origin login refused');
      const body = parseWith(loginRequest, await readJsonBody(req, 4 * 1024), 'body');
      name = body.name.toLowerCase();
      const wait = Math.max(deps.limiters.account.retryAfter(name), deps.limiters.ip.retryAfter(ip));
      if (wait > 0) {
        deps.counters.inc('http.login.rate_limited');
        audit('refused', { code: ErrorCode.RATE_LIMITED });
        throw new HttpError(ErrorCode.RATE_LIMITED, `too many failed logins; try again in ${Math.ceil(wait / 1000)} s`, 429, { 'retry-after': String(Math.ceil(wait / 1000)) });
      }
      const member = await deps.fleet.staff.verify(name, body.password);
      if (!member) {
        deps.limiters.account.fail(name);
        deps.limiters.ip.fail(ip);
        deps.counters.inc('http.login.failed');
        audit('failed', { code: ErrorCode.BAD_CREDENTIALS });
        throw new HttpError(ErrorCode.BAD_CREDENTIALS, 'wrong name or password');
      }
      deps.limiters.account.reset(name);
      const session = deps.fleet.staff.createSession(member.id);
      audit('ok', {}, member.id, member.role);
      setSessionCookie(res, session.token, session.expiresAt, deps.secureCookies);
      sendJson(res, 200, sessionView.parse({ staff: member, csrfToken: session.csrfToken, expiresAt: session.expiresAt }));
    } catch (err) {
      sendError(res, err, deps.log);
    }
    return true;
  };
}
