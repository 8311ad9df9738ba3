import { ErrorCode, liveQuery } from '@touchpoint/protocol';
import type { ApiDeps } from '../context.js';
import { HttpError } from '../errors.js';
import { parseWith, queryObject } from '../request.js';
import { sendError } from '../router.js';
import { setSecurityHeaders } from '../security-headers.js';
import { authenticate } from '../session.js';
import type { HttpHandler } from '../server.js';

/** GET /api/live[?device=<id>]: the server-sent event stream (see LiveHub). */
export function liveHandler(deps: ApiDeps, maxStreamsPerSession = 8): HttpHandler {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/live') return false;
    setSecurityHeaders(res, 'api');
    try {
      if (req.method !== 'GET')
        throw new HttpError(ErrorCode.NOT_FOUND, `${req.method ?? ''} is not allowed on /api/live`, 405, {
          allow: 'GET',
        });
      const auth = authenticate(req, deps.fleet.staff, deps.clientIp(req));
      const query = parseWith(liveQuery, queryObject(url), 'query');
      if (query.device && !(await deps.fleet.devices.get(query.device)))
        throw new HttpError(ErrorCode.NOT_FOUND, `device ${query.device} does not exist`);
      if (deps.hub.streamsOf(auth.token) >= maxStreamsPerSession)
        throw new HttpError(ErrorCode.RATE_LIMITED, `at most ${maxStreamsPerSession} live streams per session`);
      // Watching one device live is an access to that device; a resumed stream is the same watch going on.
      if (query.device && !req.headers['last-event-id']) {
        await deps.fleet.audit.record({
          actor: auth.staff.id,
          actorRole: auth.staff.role,
          action: 'device.live',
          deviceId: query.device,
          outcome: 'ok',
        });
      }
      deps.hub.attach(req, res, auth, query.device ?? null);
    } catch (err) {
      sendError(res, err, deps.log);
    }
    return true;
  };
}
