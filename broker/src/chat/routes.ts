import {
  cannedListResponse,
  cannedQuery,
  chatEntryView,
  chatListResponse,
  chatReadBody,
  chatReadResponse,
  chatSendBody,
  chatTypingBody,
  ErrorCode,
  okResponse,
  TouchpointError,
  type ChatEntryView,
} from '@touchpoint/protocol';
import type { ApiDeps } from '../http/context.js';
import { route, type Route } from '../http/router.js';
import type { ChatRecord } from './chat-store.js';

function found(deps: ApiDeps, id: string) {
  const c = deps.fleet.cases.get(id);
  if (!c) throw new TouchpointError(ErrorCode.NOT_FOUND, `case ${id} does not exist`);
  return c;
}

/** A stored message as the API shows it (the console's chat, and the phone's, broker/src/phone). */
export function view(r: ChatRecord, names: Map<string, string>): ChatEntryView {
  return {
    id: r.id,
    caseId: r.caseId,
    deviceId: r.deviceId,
    from: r.from,
    staff: r.staffId ? { id: r.staffId, displayName: names.get(r.staffId) ?? r.staffId } : null,
    body: r.body,
    at: r.at,
    receivedAt: r.receivedAt,
    expiresAt: r.expiresAt,
    answer: r.answer,
    readAt: r.readAt,
  };
}

/** The live chat on a case (issue 17; docs/console.md#live-chat). Sends and read marks are audited by ChatService. */
export const chatRoutes: Route[] = [
  route({
    method: 'GET',
    path: '/api/cases/:id/chat',
    role: 'viewer',
    action: 'chat.list',
    response: chatListResponse,
    handle: async ({ params }, deps) => {
      const c = found(deps, params.id!);
      const names = deps.fleet.staff.displayNames();
      const items = (await deps.fleet.chat.list(c.id)).map((r) => view(r, names));
      return { items, customerTyping: deps.fleet.chat.customerTyping(c.id) };
    },
  }),
  route({
    method: 'POST',
    path: '/api/cases/:id/chat',
    role: 'agent',
    action: 'chat.send',
    body: chatSendBody,
    response: chatEntryView,
    status: 201,
    handle: async ({ params, body, auth }, deps) => {
      const c = found(deps, params.id!);
      const r = await deps.fleet.chat.send(c, auth.staff, body.body, body.ttlMinutes);
      return view(r, deps.fleet.staff.displayNames());
    },
  }),
  route({
    method: 'POST',
    path: '/api/cases/:id/chat/read',
    role: 'agent',
    action: 'chat.read',
    body: chatReadBody,
    response: chatReadResponse,
    handle: async ({ params, body, auth }, deps) => {
      const c = found(deps, params.id!);
      return { marked: await deps.fleet.chat.read(c, auth.staff, body.upTo) };
    },
  }),
  route({
    method: 'POST',
    path: '/api/cases/:id/chat/typing',
    role: 'agent',
    action: 'chat.typing',
    body: chatTypingBody,
    response: okResponse,
    handle: async ({ params, body, auth }, deps) => {
      const c = found(deps, params.id!);
      await deps.fleet.chat.typing(c, auth.staff, body.typing);
      return { ok: true as const };
    },
  }),
  route({
    method: 'GET',
    path: '/api/chat/canned',
    role: 'viewer',
    action: 'chat.canned',
    query: cannedQuery,
    response: cannedListResponse,
    handle: ({ query }, deps) => deps.fleet.chat.cannedReplies(query.locale),
  }),
];
