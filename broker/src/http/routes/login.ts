import { ErrorCode, loginRequest, sessionView } from '@touchpoint/protocol';
import type { ApiDeps } from '../context.js';
import { HttpError } from '../errors.js';
import { parseWith, readJsonBody, sameOrigin } from '../request.js';
import { sendError } from '../router.js';
import { setSecurityHeaders } from '../security-headers.js';
import { setSessionCookie } from '../session.js';
import { sendJson, type HttpHandler } from '../server.js';

/**
 * POST /api/login: the one API call without a session. Each attempt is
 * admitted (and reserved) by the login throttle before any password hashing,
 * so parallel guesses cannot outrun the limit (issue 12, item 4); locks are per
 * (account, client address) with back-off. Every attempt is audited; a name
 * that is no account appears only as a keyed hash (it may be a mistyped password).
 */
export function loginHandler(deps: ApiDeps): HttpHandler {
  return async (req, res) => {
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/api/login') return false;
    setSecurityHeaders(res, 'api');
    const ip = deps.clientIp(req);
    let name: string | undefined;
    const audit = async (
      outcome: 'ok' | 'refused' | 'failed',
      detail: Record<string, unknown>,
      actor = 'anonymous',
      actorRole?: string,
    ) => {
      const known = name !== undefined && deps.fleet.staff.exists(name);
      const who = name === undefined ? {} : known ? {} : { nameHash: deps.throttle.locks.nameHash(name) };
      await deps.fleet.audit.record({
        actor,
        actorRole,
        action: 'staff.login',
        target: known ? name : undefined,
        outcome,
        detail: { ip, ...who, ...detail },
      });
    };
    try {
      if (!sameOrigin(req)) throw new HttpError(ErrorCode.CSRF, 'cross-origin login refused');
      const body = parseWith(loginRequest, await readJsonBody(req, 4 * 1024), 'body');
      name = body.name.toLowerCase();
      const admission = deps.throttle.admit(name, ip);
      if (!admission.ok) {
        deps.counters.inc(`http.login.refused.${admission.reason}`);
        await audit('refused', { code: ErrorCode.RATE_LIMITED, reason: admission.reason });
        const wait = Math.max(1, Math.ceil(admission.waitMs / 1000));
        const why = admission.reason === 'busy' ? 'too many logins at once' : 'too many failed logins';
        throw new HttpError(ErrorCode.RATE_LIMITED, `${why}; try again in ${wait} s`, 429, {
          'retry-after': String(wait),
        });
      }
      let member: Awaited<ReturnType<ApiDeps['fleet']['staff']['verify']>> = undefined;
      let lockedForMs = 0;
      try {
        member = await deps.fleet.staff.verify(name, body.password);
      } finally {
        // Also when hashing throws: the reservation is always released (as a failure unless it succeeded).
        lockedForMs = admission.done(member !== undefined);
      }
      if (!member) {
        deps.counters.inc('http.login.failed');
        if (lockedForMs > 0) deps.counters.inc('http.login.locked');
        await audit('failed', { code: ErrorCode.BAD_CREDENTIALS, ...(lockedForMs > 0 ? { lockedForMs } : {}) });
        throw new HttpError(ErrorCode.BAD_CREDENTIALS, 'wrong name or password');
      }
      const session = deps.fleet.staff.createSession(member.id);
      await audit('ok', member.mustChangePassword ? { mustChangePassword: true } : {}, member.id, member.role);
      setSessionCookie(res, session.token, session.expiresAt, deps.secureCookies);
      sendJson(
        res,
        200,
        sessionView.parse({
          staff: member,
          csrfToken: session.csrfToken,
          expiresAt: session.expiresAt,
          mustChangePassword: member.mustChangePassword,
        }),
      );
    } catch (err) {
      sendError(res, err, deps.log);
    }
    return true;
  };
}
