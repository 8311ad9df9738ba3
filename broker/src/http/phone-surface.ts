import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, TouchpointError } from '@touchpoint/protocol';
import type { ApiDeps } from './context.js';
import { HttpError } from './errors.js';
import { sendError } from './router.js';
import { setSecurityHeaders } from './security-headers.js';
import type { HttpHandler } from './server.js';

/**
 * A page the customer's phone opens from a scanned link (the video hand-off `/v/…`, the help touchpoint `/p/…`),
 * its script, and its API. The API has no staff session (a single-use link, then a bearer key), so it is mounted
 * before the route table, which would answer it 401; it shares the API's error mapping and headers.
 */
export interface PhoneSurface {
  /** The page's path, with the link's token in it. */
  page: RegExp;
  html(scriptPath: string): string;
  /** Extra content-security-policy sources and permissions the page needs (a call's camera, say). */
  media?: { csp: string; permissions: string };
  scriptPath: string;
  script(): Promise<string>;
  api: RegExp;
  /** Answers one API call; a throw becomes the error reply, counted as `<counter>.<code>`. */
  serve(match: RegExpExecArray, req: IncomingMessage, res: ServerResponse): Promise<void>;
  counter: string;
}

/** The phone's bearer key, or NOT_AUTHORIZED with `refusal` as the reason. */
export function bearerKey(req: IncomingMessage, refusal: string): string {
  const value = req.headers.authorization ?? '';
  if (!value.startsWith('Bearer ')) throw new HttpError(ErrorCode.NOT_AUTHORIZED, refusal);
  return value.slice(7);
}

function sendPage(res: ServerResponse, surface: PhoneSurface): void {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self';${surface.media ? ` ${surface.media.csp};` : ''} img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'`,
    ...(surface.media ? { 'permissions-policy': surface.media.permissions } : {}),
  });
  res.end(surface.html(surface.scriptPath));
}

export function phoneSurfaceHandler(surface: PhoneSurface, deps: Pick<ApiDeps, 'counters' | 'log'>): HttpHandler {
  return async (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && surface.page.test(pathname)) {
      sendPage(res, surface);
      return true;
    }
    if (req.method === 'GET' && pathname === surface.scriptPath) {
      const js = await surface.script();
      res.writeHead(200, {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      res.end(js);
      return true;
    }
    const match = surface.api.exec(pathname);
    if (!match) return false;
    setSecurityHeaders(res, 'api');
    try {
      await surface.serve(match, req, res);
    } catch (err) {
      deps.counters.inc(`${surface.counter}.${err instanceof TouchpointError ? err.code : ErrorCode.INTERNAL}`);
      if (res.headersSent) res.destroy();
      else sendError(res, err, deps.log);
    }
    return true;
  };
}
