import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, describeIssues, zammadWebhookPayload, type CaseStatus } from '@touchpoint/protocol';
import type { Counters } from '../../counters.js';
import type { Cases } from '../../fleet/cases.js';
import type { Logger } from '../../logger.js';
import { readBody } from '../../http/request.js';
import { sendJson, type HttpHandler } from '../../http/server.js';
import { verifyHubSignature } from '../../webhooks/signature.js';
import type { WebhookEndpoints } from '../../webhooks/endpoints.js';
import { connectorActor } from './actor.js';
import { htmlToText } from './html-text.js';
import type { ZammadTickets } from './tickets.js';
import { ticketState } from './zammad-sink.js';

/** Where Zammad's trigger webhook posts: one path per connector, shown to the admin on creation. */
export const ZAMMAD_INBOUND_PREFIX = '/hooks/zammad/';
const PATH = /^\/hooks\/zammad\/([A-Za-z0-9-]{1,64})$/;
/** Zammad's default payload carries the ticket, its users and the article: generous, but bounded. */
const BODY_LIMIT = 512 * 1024;
/** The case notes API's own limit (protocol caseNoteRequest). */
const NOTE_LIMIT = 4000;

export interface InboundDeps {
  endpoints: WebhookEndpoints;
  tickets: ZammadTickets;
  cases: Cases;
  counters: Counters;
  log: Logger;
}

function refuse(res: ServerResponse, deps: InboundDeps, status: number, code: ErrorCode, message: string): void {
  deps.counters.inc(`zammad.inbound_refused.${code}`);
  deps.log.warn('Zammad webhook refused', { code, reason: message });
  sendJson(res, status, { error: { code, message } });
}

/**
 * Zammad → Touchpoint (issue 17): a Zammad trigger ("ticket updated", action: webhook) posts here. It is
 * authenticated by Zammad's own signature, `X-Hub-Signature: sha1=HMAC-SHA1(body)` with the token the admin got
 * when the connector was made. A new article on a linked ticket becomes a case note; the ticket's state moves
 * the case (closed → resolved, reopened → open). Articles the connector wrote, and the ticket's opening
 * article, are not imported back. Tickets Touchpoint did not open are acknowledged and ignored.
 * Chosen over polling: Zammad pushes within seconds and retries failed webhooks itself, and the broker keeps
 * no timer per ticket. Bad input is answered with a named error and counted; nothing here throws.
 */
export function zammadInboundHandler(deps: InboundDeps): HttpHandler {
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (!path.startsWith(ZAMMAD_INBOUND_PREFIX)) return false;
    try {
      await handle(req, res, path, deps);
    } catch (err) {
      deps.counters.inc('zammad.inbound_failed');
      deps.log.error('Zammad webhook failed', { code: 'INTERNAL', reason: (err as Error).message });
      if (!res.headersSent) sendJson(res, 500, { error: { code: ErrorCode.INTERNAL, message: 'internal error' } });
    }
    return true;
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, path: string, deps: InboundDeps): Promise<void> {
  const id = PATH.exec(path)?.[1];
  const endpoint = id ? deps.endpoints.get(id) : undefined;
  if (!endpoint || endpoint.kind !== 'zammad' || !endpoint.inboundSecret)
    return refuse(res, deps, 404, ErrorCode.NOT_FOUND, `${path} is not a Zammad connector`);
  if (req.method !== 'POST') return refuse(res, deps, 405, ErrorCode.NOT_FOUND, 'only POST');
  let body: Buffer;
  try {
    body = await readBody(req, BODY_LIMIT);
  } catch {
    return refuse(res, deps, 413, ErrorCode.PAYLOAD_TOO_LARGE, `larger than ${BODY_LIMIT} bytes`);
  }
  const signature = req.headers['x-hub-signature'];
  if (!verifyHubSignature(endpoint.inboundSecret, typeof signature === 'string' ? signature : undefined, body))
    return refuse(res, deps, 401, ErrorCode.BAD_SIGNATURE, 'X-Hub-Signature does not match the connector token');
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return refuse(res, deps, 400, ErrorCode.BAD_JSON, 'the body is not JSON');
  }
  const parsed = zammadWebhookPayload.safeParse(json);
  if (!parsed.success) return refuse(res, deps, 400, ErrorCode.SCHEMA_INVALID, describeIssues(parsed.error));
  const { ticket, article } = parsed.data;
  if (!endpoint.enabled) return sendJson(res, 202, { ignored: 'connector disabled' });
  const link = deps.tickets.byTicket(endpoint.id, ticket.id);
  const current = link ? deps.cases.get(link.caseId) : undefined;
  if (!link || !current) return sendJson(res, 202, { ignored: 'not a Touchpoint ticket' });
  const actor = connectorActor(endpoint);
  const result: { note: boolean; status: CaseStatus | null } = { note: false, status: null };

  const opening = ticket.article_ids?.length ? Math.min(...ticket.article_ids) : undefined;
  if (article && article.sender !== 'System' && article.id !== opening) {
    if (deps.tickets.noteArticle(endpoint.id, article.id, link.caseId, 'in')) {
      const who =
        [article.created_by?.firstname, article.created_by?.lastname].filter(Boolean).join(' ') ||
        article.from ||
        'Zammad';
      const text = `[Zammad #${ticket.number}] ${who}: ${htmlToText(article.body, article.content_type)}`;
      await deps.cases.addNote(link.caseId, text.slice(0, NOTE_LIMIT), actor);
      result.note = true;
    }
  }

  // Only Zammad's two ends matter to a case: closed, or open again; `merged` and pending states leave it.
  const seen = ticket.state === 'closed' ? 'closed' : ticket.state === 'open' || ticket.state === 'new' ? 'open' : null;
  if (seen && seen !== link.state) {
    deps.tickets.setState(endpoint.id, link.caseId, seen);
    if (seen !== ticketState(current.status)) {
      const status: CaseStatus = seen === 'closed' ? 'resolved' : 'open';
      await deps.cases.update(link.caseId, { status }, actor);
      result.status = status;
    }
  }
  deps.counters.inc('zammad.inbound_ok');
  sendJson(res, 200, { caseId: link.caseId, ...result });
}
