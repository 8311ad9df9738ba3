import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import {
  ErrorCode,
  TouchpointError,
  describeIssues,
  phoneAccessClaimRequest,
  phoneAccessClaimResponse,
  phoneChatRequest,
  phoneStepRequest,
} from '@touchpoint/protocol';
import type { z } from 'zod';
import type { ApiDeps } from '../../http/context.js';
import { HttpError } from '../../http/errors.js';
import { parseWith, readJsonBody } from '../../http/request.js';
import { bearerKey, phoneSurfaceHandler } from '../../http/phone-surface.js';
import { sendJson, type HttpHandler } from '../../http/server.js';
import { browserScriptLoader } from '../../video/phone/phone-bundle.js';
import type { PhoneAccessService } from '../phone-access-service.js';
import { phoneHelpPageHtml } from '../page/phone-help-page.js';

const SCRIPT = '/phone/help.js';
const ENTRY = fileURLToPath(new URL('../page/phone-help-main.ts', import.meta.url));
const PAGE = /^\/p\/[A-Za-z0-9_-]{16,128}$/;
const API = /^\/api\/phone\/(claim|([^/]{1,64})\/(step|chat|leave|events))$/;
/** A chat text is at most 1,000 characters (up to 4 bytes each in UTF-8) in its JSON envelope. */
const BODY_LIMIT = 8 * 1024;

async function body<S extends z.ZodType>(req: IncomingMessage, schema: S): Promise<z.output<S>> {
  return parseWith(schema, await readJsonBody(req, BODY_LIMIT), 'body');
}

/**
 * The phone as a touchpoint over HTTP (issue 17): the page a scanned link opens (`/p/<token>`), its
 * script, and its API, which has no staff session (the single-use link, then a bearer key bound to one
 * device's access), so it is mounted before the route table, as the video phone's is. It shares the
 * API's body reader, error mapping and headers; its event stream runs on the live hub.
 */
export function phoneAccessHandler(phone: PhoneAccessService, deps: ApiDeps, bundlePath?: string): HttpHandler {
  const script = browserScriptLoader(ENTRY, bundlePath);

  async function api(req: IncomingMessage, res: ServerResponse, accessId: string, action: string): Promise<void> {
    const method = action === 'events' ? 'GET' : 'POST';
    if (req.method !== method)
      throw new HttpError(ErrorCode.NOT_FOUND, `${req.method ?? ''} is not allowed on ${req.url ?? ''}`, 405, {
        allow: method,
      });
    if (action === 'claim') {
      const { token } = await body(req, phoneAccessClaimRequest);
      let claim;
      try {
        claim = await phone.claim(token);
      } catch (err) {
        // Used, replaced, expired or ended: every refused link reads the same to the phone, gone.
        if (err instanceof TouchpointError) throw new HttpError(err.code, err.message, 410);
        throw err;
      }
      const out = phoneAccessClaimResponse.safeParse(claim);
      if (!out.success)
        throw new TouchpointError(
          ErrorCode.INTERNAL,
          `phone claim does not match its schema: ${describeIssues(out.error)}`,
        );
      sendJson(res, 200, out.data);
      return;
    }
    const key = bearerKey(req, 'this phone has no access');
    const refusedAsGone = (err: unknown) => {
      if (err instanceof TouchpointError && err.code === ErrorCode.EXPIRED)
        throw new HttpError(err.code, err.message, 410);
      throw err;
    };
    switch (action) {
      case 'step': {
        const { seq, step } = await body(req, phoneStepRequest);
        await phone.step(accessId, key, seq, step).catch(refusedAsGone);
        sendJson(res, 202, { ok: true });
        return;
      }
      case 'chat': {
        const { body: message } = await body(req, phoneChatRequest);
        await phone.chat(accessId, key, message).catch(refusedAsGone);
        sendJson(res, 202, { ok: true });
        return;
      }
      case 'leave':
        await phone.leave(accessId, key).catch(refusedAsGone);
        sendJson(res, 200, { ok: true });
        return;
      default: {
        // Authorised before the stream opens, so a wrong key gets a status, not an empty stream.
        let unsubscribe: (() => void) | undefined;
        let closeStream: (() => void) | undefined;
        const pending: [number, unknown][] = [];
        let sendEvent: ((id: number, data: unknown) => void) | undefined;
        unsubscribe = await phone
          .follow(
            accessId,
            key,
            (id, event) => (sendEvent ? sendEvent(id, event) : void pending.push([id, event])),
            () => closeStream?.(),
          )
          .catch(refusedAsGone);
        deps.hub.attachFeed(req, res, {
          owner: null,
          stillAllowed: () => phone.stillOpen(accessId),
          subscribe: (send, close) => {
            sendEvent = send;
            closeStream = close;
            for (const [id, event] of pending.splice(0)) send(id, event);
            return () => {
              unsubscribe?.();
              unsubscribe = undefined;
            };
          },
        });
      }
    }
  }

  return phoneSurfaceHandler(
    {
      page: PAGE,
      html: phoneHelpPageHtml,
      scriptPath: SCRIPT,
      script,
      api: API,
      serve: (match, req, res) => api(req, res, match[2] ?? '', match[3] ?? 'claim'),
      counter: 'phone.http.refused',
    },
    deps,
  );
}
