import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ErrorCode, TouchpointError, peerSignal, phoneClaimRequest, phoneConsentRequest, videoHangupBody, videoStartRequest,
} from '@touchpoint/protocol';
import { z } from 'zod';
import type { Fleet } from '../../fleet/fleet.js';
import type { HttpHandler } from '../../http/server.js';
import type { Logger } from '../../logger.js';
import { phoneBundleLoader } from '../phone/phone-bundle.js';
import { phonePageHtml } from '../phone/phone-page.js';
import type { RequestOrigin, VideoService } from '../video-service.js';
import { lastEventId, openEventStream, readBody, sendError, sendJson } from './io.js';
import { staffCallerOf } from './staff-auth.js';

export interface VideoHttpContext {
  fleet: Fleet;
  video: VideoService;
  log: Logger;
  /** A prebuilt phone script; without it the page's script is bundled from source on first use. */
  phoneBundlePath?: string | undefined;
  /** Heartbeat (and session re-check) interval of the event streams; default 15 s. */
  heartbeatMs?: number | undefined;
}

const PHONE_SCRIPT = '/video/phone.js';
const phoneSignalBody = z.object({ seq: z.number().int().nonnegative(), signal: peerSignal });
const phoneStatusBody = z.object({ status: z.enum(['connected', 'reconnecting']) });

type Handle = (req: IncomingMessage, res: ServerResponse, params: string[], url: URL) => Promise<void> | void;

/** How the console reached us; phone links use it only on a loopback broker without a public URL (phone-origin.ts). */
function requestOrigin(req: IncomingMessage): RequestOrigin {
  return { host: req.headers.host, encrypted: (req.socket as { encrypted?: boolean }).encrypted === true };
}

function bearer(req: IncomingMessage): string {
  const value = req.headers.authorization ?? '';
  if (!value.startsWith('Bearer ')) throw new TouchpointError(ErrorCode.NOT_AUTHORIZED, 'this phone is not part of the call');
  return value.slice(7);
}

/**
 * The video API: the console's calls (staff cookie + CSRF, bound to the member
 * who started the call), and the phone's page and calls (a single-use link,
 * then a bearer key bound to the session). Mount before the generic /api/ router.
 */
export function createVideoHttpHandlers(ctx: VideoHttpContext): HttpHandler[] {
  const { video, fleet, log } = ctx;
  const phoneScript = phoneBundleLoader(ctx.phoneBundlePath);

  const routes: [method: string, pattern: RegExp, handle: Handle][] = [
    // ---- console ----
    ['POST', /^\/api\/video\/sessions$/, async (req, res) => {
      const caller = staffCallerOf(req, fleet.staff);
      const body = await readBody(req, videoStartRequest);
      const session = await video.start(caller, body.deviceId, body.caseId ?? null, requestOrigin(req));
      sendJson(res, 201, { session });
    }],
    ['GET', /^\/api\/video\/sessions\/([^/]+)$/, (req, res, [id]) => {
      sendJson(res, 200, { session: video.sessionFor(staffCallerOf(req, fleet.staff).staff, id!).view() });
    }],
    ['POST', /^\/api\/video\/sessions\/([^/]+)\/signal$/, async (req, res, [id]) => {
      const { staff } = staffCallerOf(req, fleet.staff);
      await video.consoleSignal(staff, id!, await readBody(req, peerSignal));
      sendJson(res, 202, { ok: true });
    }],
    ['POST', /^\/api\/video\/sessions\/([^/]+)\/hangup$/, async (req, res, [id]) => {
      const { staff } = staffCallerOf(req, fleet.staff);
      const body = await readBody(req, videoHangupBody);
      sendJson(res, 200, { session: await video.hangup(staff, id!, body.reason) });
    }],
    ['GET', /^\/api\/video\/sessions\/([^/]+)\/events$/, (req, res, [id], url) => {
      const caller = staffCallerOf(req, fleet.staff);
      video.sessionFor(caller.staff, id!);
      // The login is looked up again before every event and heartbeat (issue 12, item 5); once it is gone
      // (expired, logged out, disabled, role changed) the stream ends and so do the calls started from it.
      const stream = openEventStream(req, res, {
        stillAllowed: caller.recheck,
        onRevoked: () => video.staffSessionsEnded({ staffId: caller.staff.id, session: caller.session, reason: 'no longer valid' }),
        heartbeatMs: ctx.heartbeatMs,
        log,
      });
      stream.onClose(video.listen(id!, 'console', lastEventId(req, url), (e) => stream.send(e.id, e.event), { close: stream.close, staffSession: caller.session }));
    }],
    // ---- phone ----
    ['GET', /^\/v\/([A-Za-z0-9_-]{16,128})$/, (_req, res) => {
      const html = phonePageHtml(PHONE_SCRIPT);
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; media-src 'self' blob:; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
        'permissions-policy': 'camera=(self), microphone=(self)',
      });
      res.end(html);
    }],
    ['GET', new RegExp(`^${PHONE_SCRIPT.replace(/[./]/g, '\\$&')}$`), async (_req, res) => {
      const js = await phoneScript();
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
      res.end(js);
    }],
    ['POST', /^\/api\/video\/phone\/claim$/, async (req, res) => {
      const body = await readBody(req, phoneClaimRequest, 1024);
      try {
        sendJson(res, 200, video.claimHandoff(body.token));
      } catch (err) {
        sendError(res, err, log, 410);
      }
    }],
    ['POST', /^\/api\/video\/phone\/([^/]+)\/consent$/, async (req, res, [id]) => {
      const key = bearer(req);
      const body = await readBody(req, phoneConsentRequest, 1024);
      sendJson(res, 200, { session: video.phoneConsent(id!, key, body.decision) });
    }],
    ['POST', /^\/api\/video\/phone\/([^/]+)\/signal$/, async (req, res, [id]) => {
      const key = bearer(req);
      const body = await readBody(req, phoneSignalBody);
      video.phoneSignal(id!, key, body.seq, body.signal);
      sendJson(res, 202, { ok: true });
    }],
    ['POST', /^\/api\/video\/phone\/([^/]+)\/status$/, async (req, res, [id]) => {
      const key = bearer(req);
      video.phoneStatus(id!, key, (await readBody(req, phoneStatusBody, 1024)).status);
      sendJson(res, 200, { ok: true });
    }],
    ['POST', /^\/api\/video\/phone\/([^/]+)\/hangup$/, (req, res, [id]) => {
      sendJson(res, 200, { session: video.phoneHangup(id!, bearer(req)) });
    }],
    ['GET', /^\/api\/video\/phone\/([^/]+)\/events$/, (req, res, [id], url) => {
      const key = bearer(req);
      video.phoneSession(id!, key);
      // Ends when this phone loses its binding (a newer link, or consent on the device; issue 12, item 8).
      const stream = openEventStream(req, res, { stillAllowed: () => video.phoneStillBound(id!, key), heartbeatMs: ctx.heartbeatMs, log });
      stream.onClose(video.listen(id!, 'phone', lastEventId(req, url), (e) => stream.send(e.id, e.event), { close: stream.close }));
    }],
  ];

  const handler: HttpHandler = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/api/video/') && !url.pathname.startsWith('/v/') && url.pathname !== PHONE_SCRIPT) return false;
    for (const [method, pattern, handle] of routes) {
      const match = pattern.exec(url.pathname);
      if (!match) continue;
      if (req.method !== method) {
        sendJson(res, 405, { error: { code: ErrorCode.NOT_FOUND, message: `${req.method ?? ''} is not allowed on ${url.pathname}` } });
        return true;
      }
      try {
        await handle(req, res, match.slice(1).map(decodeURIComponent), url);
      } catch (err) {
        sendError(res, err, log);
      }
      return true;
    }
    return false;
  };
  return [handler];
}
