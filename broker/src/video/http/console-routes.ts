import { peerSignal, videoHangupBody, videoSessionView, videoStartRequest } from '@touchpoint/protocol';
import { z } from 'zod';
import { route, type Route } from '../../http/router.js';
import { staffSessionKey } from '../session.js';
import type { VideoService } from '../video-service.js';
import { lastEventId, requestOrigin } from './request-bits.js';

const sessionResponse = z.object({ session: videoSessionView });
const accepted = z.object({ ok: z.literal(true) });
/** An SDP offer with many candidates runs past the default 16 KiB. */
const SIGNAL_LIMIT = 32 * 1024;

/**
 * The console's video calls, on the main route table (issue 14, "One HTTP stack"): the session cookie,
 * CSRF and same-origin checks, the role, refusal audit and error mapping are the API's. Each call is bound
 * to the member who started it (VideoService.sessionFor); its event stream runs on the live hub.
 */
export function videoConsoleRoutes(video: VideoService): Route[] {
  return [
    route({
      method: 'POST',
      path: '/api/video/sessions',
      role: 'agent',
      action: 'video.start',
      body: videoStartRequest,
      response: sessionResponse,
      status: 201,
      handle: async ({ req, body, auth }) => ({
        session: await video.start(
          { staff: auth.staff, session: staffSessionKey(auth.token) },
          body.deviceId,
          body.caseId ?? null,
          requestOrigin(req),
        ),
      }),
    }),
    route({
      method: 'GET',
      path: '/api/video/sessions/:id',
      role: 'agent',
      action: 'video.view',
      response: sessionResponse,
      handle: ({ params, auth }) => ({ session: video.sessionFor(auth.staff, params.id!).view() }),
    }),
    route({
      method: 'POST',
      path: '/api/video/sessions/:id/signal',
      role: 'agent',
      action: 'video.signal',
      body: peerSignal,
      bodyLimit: SIGNAL_LIMIT,
      response: accepted,
      status: 202,
      handle: async ({ params, body, auth }) => {
        await video.consoleSignal(auth.staff, params.id!, body);
        return { ok: true as const };
      },
    }),
    route({
      method: 'POST',
      path: '/api/video/sessions/:id/hangup',
      role: 'agent',
      action: 'video.hangup',
      body: videoHangupBody,
      response: sessionResponse,
      handle: async ({ params, body, auth }) => ({ session: await video.hangup(auth.staff, params.id!, body.reason) }),
    }),
    route({
      method: 'POST',
      path: '/api/video/sessions/:id/handoff',
      role: 'agent',
      action: 'video.handoff.offer',
      body: z.object({}),
      response: sessionResponse,
      handle: async ({ params, auth }) => ({ session: await video.offerPhone(auth.staff, params.id!) }),
    }),
    route({
      method: 'GET',
      path: '/api/video/sessions/:id/events',
      role: 'agent',
      action: 'video.watch',
      response: z.undefined(),
      stream: true,
      handle: ({ req, res, params, auth }, deps) => {
        const id = params.id!;
        video.sessionFor(auth.staff, id);
        const { staff, token } = auth;
        const session = staffSessionKey(token);
        deps.hub.attachFeed(req, res, {
          owner: auth,
          // The login is looked up again before every event and heartbeat (issue 12, item 5); once it is gone
          // (expired, logged out, disabled, role changed) the stream ends and so do the calls started from it.
          stillAllowed: () => {
            const now = deps.fleet.staff.session(token);
            return now !== undefined && now.staff.id === staff.id && now.staff.role === staff.role;
          },
          onRevoked: () => video.staffSessionsEnded({ staffId: staff.id, session, reason: 'no longer valid' }),
          subscribe: (send, close) =>
            video.listen(id, 'console', lastEventId(req), (e) => send(e.id, e.event), { close, staffSession: session }),
        });
        return undefined;
      },
    }),
  ];
}
