import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ErrorCode,
  TouchpointError,
  describeIssues,
  peerSignal,
  phoneClaimRequest,
  phoneClaimResponse,
  phoneConsentRequest,
  type PhoneClaimResponse,
} from '@touchpoint/protocol';
import { z } from 'zod';
import type { ApiDeps } from '../../http/context.js';
import { HttpError } from '../../http/errors.js';
import { parseWith, readJsonBody } from '../../http/request.js';
import { bearerKey, phoneSurfaceHandler } from '../../http/phone-surface.js';
import { sendJson, type HttpHandler } from '../../http/server.js';
import { phoneBundleLoader } from '../phone/phone-bundle.js';
import { phonePageHtml } from '../phone/phone-page.js';
import type { VideoService } from '../video-service.js';
import { lastEventId } from './request-bits.js';

const PHONE_SCRIPT = '/video/phone.js';
const PHONE_PAGE = /^\/v\/[A-Za-z0-9_-]{16,128}$/;
const PHONE_API = /^\/api\/video\/phone\/(claim|[^/]+\/(consent|signal|status|hangup|events))$/;
const phoneSignalBody = z.object({ seq: z.number().int().nonnegative(), signal: peerSignal });
const phoneStatusBody = z.object({ status: z.enum(['connected', 'reconnecting']) });
const SMALL = 1024;
const SIGNAL_LIMIT = 32 * 1024;

async function body<S extends z.ZodType>(req: IncomingMessage, schema: S, limit: number): Promise<z.output<S>> {
  return parseWith(schema, await readJsonBody(req, limit), 'body');
}

function callId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(ErrorCode.ID_INVALID, 'bad escape in the call id');
  }
}

/**
 * The phone's side of a call: its page and script, and its API, which has no staff session (a single-use
 * link, then a bearer key bound to the call), so it is not on the route table; it shares the API's body
 * reader, error mapping and headers, and its event stream runs on the live hub (issue 14, "One HTTP stack").
 * Mounted before the route table, which would answer /api/video/phone/* with 401.
 */
export function phoneHandler(video: VideoService, deps: ApiDeps, phoneBundlePath?: string): HttpHandler {
  const phoneScript = phoneBundleLoader(phoneBundlePath);

  async function api(req: IncomingMessage, res: ServerResponse, id: string, action: string): Promise<void> {
    const method = action === 'events' ? 'GET' : 'POST';
    if (req.method !== method)
      throw new HttpError(ErrorCode.NOT_FOUND, `${req.method ?? ''} is not allowed on ${req.url ?? ''}`, 405, {
        allow: method,
      });
    if (action === 'claim') {
      const { token } = await body(req, phoneClaimRequest, SMALL);
      let claim: PhoneClaimResponse;
      try {
        claim = video.claimHandoff(token);
      } catch (err) {
        // Every refused link reads the same to the phone: gone (used, replaced, expired or its call ended).
        if (err instanceof TouchpointError) throw new HttpError(err.code, err.message, 410);
        throw err;
      }
      // Checked like a route table response: one that fails its schema is a server bug (500), never sent.
      const out = phoneClaimResponse.safeParse(claim);
      if (!out.success)
        throw new TouchpointError(
          ErrorCode.INTERNAL,
          `phone claim response does not match its schema: ${describeIssues(out.error)}`,
        );
      sendJson(res, 200, out.data);
      return;
    }
    const key = bearerKey(req, 'this phone is not part of the call');
    switch (action) {
      case 'consent':
        sendJson(res, 200, {
          session: video.phoneConsent(id, key, (await body(req, phoneConsentRequest, SMALL)).decision),
        });
        return;
      case 'signal': {
        const { seq, signal } = await body(req, phoneSignalBody, SIGNAL_LIMIT);
        video.phoneSignal(id, key, seq, signal);
        sendJson(res, 202, { ok: true });
        return;
      }
      case 'status':
        video.phoneStatus(id, key, (await body(req, phoneStatusBody, SMALL)).status);
        sendJson(res, 200, { ok: true });
        return;
      case 'hangup':
        sendJson(res, 200, { session: video.phoneHangup(id, key) });
        return;
      default:
        video.phoneSession(id, key);
        // Ends when this phone loses its binding (a newer link, or consent on the device; issue 12, item 8).
        deps.hub.attachFeed(req, res, {
          owner: null,
          stillAllowed: () => video.phoneStillBound(id, key),
          subscribe: (send, close) =>
            video.listen(id, 'phone', lastEventId(req), (e) => send(e.id, e.event), { close }),
        });
    }
  }

  return phoneSurfaceHandler(
    {
      page: PHONE_PAGE,
      html: phonePageHtml,
      media: { csp: "media-src 'self' blob:", permissions: 'camera=(self), microphone=(self)' },
      scriptPath: PHONE_SCRIPT,
      script: phoneScript,
      api: PHONE_API,
      serve: (match, req, res) => {
        const [, first, action] = match;
        return api(req, res, action ? callId(first!.slice(0, -action.length - 1)) : '', action ?? 'claim');
      },
      counter: 'video.http.refused',
    },
    deps,
  );
}
