import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, TouchpointError, describeIssues } from '@touchpoint/protocol';
import type { z } from 'zod';
import { roleAllows, type StaffRole } from '../fleet/staff.js';
import type { Authed } from './authed.js';
import type { ApiDeps } from './context.js';
import { HttpError, statusFor } from './errors.js';
import { parseWith, queryObject, readJsonBody, sameOrigin } from './request.js';
import { setSecurityHeaders } from './security-headers.js';
import { PasswordChangeRequired, authenticate, checkCsrf } from './session.js';
import { sendJson, type HttpHandler } from './server.js';

export interface RouteInput<Q, B> {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: Q;
  body: B;
  auth: Authed;
}

/**
 * One API endpoint. Every route needs a staff session with at least `role`;
 * POST routes also need the CSRF header. Query, body and response are zod
 * schemas; a response that fails its schema is a server bug (500), never sent.
 */
export interface Route<
  QS extends z.ZodType = z.ZodType,
  BS extends z.ZodType = z.ZodType,
  RS extends z.ZodType = z.ZodType,
> {
  method: 'GET' | 'POST';
  path: string;
  role: StaffRole;
  /** The audit action for refusals (and for `auditAccess`), e.g. `command.send`. */
  action: string;
  /** Record every successful call as an access to the device in `:id` (reads of device data). */
  auditAccess?: boolean;
  /** Also open to a member who must still change a generated password (only /api/me, logout, the change itself). */
  beforePasswordChange?: boolean;
  query?: QS;
  body?: BS;
  /** Largest accepted body; default 16 KiB. */
  bodyLimit?: number;
  response: RS;
  status?: number;
  /** The handler answers itself with an event stream (it has written the response); `response` is not used. */
  stream?: boolean;
  handle(input: RouteInput<z.output<QS>, z.output<BS>>, deps: ApiDeps): Promise<z.input<RS>> | z.input<RS>;
}

/** Lets `route({...})` infer each schema's type while the list holds them uniformly. */
export function route<QS extends z.ZodType, BS extends z.ZodType, RS extends z.ZodType>(r: Route<QS, BS, RS>): Route {
  return r as unknown as Route;
}

interface Compiled {
  route: Route;
  pattern: RegExp;
  names: string[];
}

function compile(r: Route): Compiled {
  const names: string[] = [];
  const source = r.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([a-zA-Z]+)/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route: r, pattern: new RegExp(`^${source}$`), names };
}

export function sendError(res: ServerResponse, err: unknown, log: ApiDeps['log']): void {
  if (err instanceof TouchpointError) {
    const status = err instanceof HttpError ? err.status : statusFor(err.code);
    if (err instanceof HttpError) for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
    if (status >= 500) log.error('API request failed', { code: err.code, reason: err.message });
    sendJson(res, status, { error: { code: err.code, message: err.message } });
    return;
  }
  log.error('API request failed', { code: ErrorCode.INTERNAL, reason: (err as Error).stack ?? String(err) });
  sendJson(res, 500, { error: { code: ErrorCode.INTERNAL, message: 'internal error' } });
}

/** The `/api/*` dispatcher: match, authenticate, authorise, check CSRF, validate, run, validate the response. */
export function apiHandler(routes: readonly Route[], deps: ApiDeps): HttpHandler {
  const compiled = routes.map(compile);
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/api/')) return false;
    setSecurityHeaders(res, 'api');
    let auth: Authed | undefined;
    let matched: Route | undefined;
    let params: Record<string, string> = {};
    const refuse = async (err: TouchpointError) => {
      // Refusals of an authenticated member are audited; anonymous noise is only counted.
      deps.counters.inc(`http.refused.${err.code}`);
      if (auth && matched) {
        await deps.fleet.audit.record({
          actor: auth.staff.id,
          actorRole: auth.staff.role,
          action: matched.action,
          deviceId: params.id && matched.path.startsWith('/api/devices/') ? params.id : undefined,
          target: matched.path.startsWith('/api/devices/') ? undefined : params.id,
          outcome: 'refused',
          detail: { code: err.code, message: err.message, method: req.method, path: url.pathname },
        });
      }
    };
    try {
      const candidates = compiled.filter((c) => c.pattern.test(url.pathname));
      const hit = candidates.find((c) => c.route.method === req.method);
      if (!hit) {
        if (candidates.length > 0)
          throw new HttpError(ErrorCode.NOT_FOUND, `${req.method ?? ''} is not allowed on ${url.pathname}`, 405, {
            allow: candidates.map((c) => c.route.method).join(', '),
          });
        throw new HttpError(ErrorCode.NOT_FOUND, `${req.method ?? 'GET'} ${url.pathname} is not an API route`);
      }
      matched = hit.route;
      const m = hit.pattern.exec(url.pathname)!;
      params = Object.fromEntries(
        hit.names.map((n, i) => {
          try {
            return [n, decodeURIComponent(m[i + 1]!)];
          } catch {
            throw new HttpError(ErrorCode.ID_INVALID, `bad escape in ${url.pathname}`);
          }
        }),
      );
      const r = hit.route;
      auth = authenticate(req, deps.fleet.staff, deps.clientIp(req), {
        passwordChange: r.beforePasswordChange ?? false,
      });
      if (r.method !== 'GET') {
        if (!sameOrigin(req)) throw new HttpError(ErrorCode.CSRF, 'cross-origin request refused');
        checkCsrf(req, auth);
      }
      if (!roleAllows(auth.staff.role, r.role))
        throw new HttpError(ErrorCode.FORBIDDEN_ROLE, `role ${auth.staff.role} may not ${r.action} (needs ${r.role})`);
      const query: unknown = r.query ? parseWith(r.query, queryObject(url), 'query') : {};
      const body: unknown = r.body
        ? parseWith(r.body, await readJsonBody(req, r.bodyLimit ?? 16 * 1024), 'body')
        : undefined;
      const authed = auth;
      const result = await r.handle({ req, res, params, query, body, auth: authed }, deps);
      if (r.stream) return true;
      const out = r.response.safeParse(result);
      if (!out.success)
        throw new TouchpointError(
          ErrorCode.INTERNAL,
          `response of ${r.method} ${r.path} does not match its schema: ${describeIssues(out.error)}`,
        );
      if (r.auditAccess && params.id) {
        await deps.fleet.audit.record({
          actor: authed.staff.id,
          actorRole: authed.staff.role,
          action: r.action,
          deviceId: params.id,
          outcome: 'ok',
          detail: { path: url.pathname },
        });
      }
      sendJson(res, r.status ?? 200, out.data);
    } catch (err) {
      if (err instanceof PasswordChangeRequired) auth = err.authed;
      // A refusal is answered even when its audit row cannot be written (that failure is logged).
      if (err instanceof HttpError && err.code !== ErrorCode.NOT_AUTHORIZED)
        await refuse(err).catch((auditErr: unknown) =>
          deps.log.error('could not audit a refusal', { code: 'INTERNAL', reason: (auditErr as Error).message }),
        );
      sendError(res, err, deps.log);
    }
    return true;
  };
}
