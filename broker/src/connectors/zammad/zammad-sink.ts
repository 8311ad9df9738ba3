import { webhookEvent, type CaseStatus, type WebhookEvent } from '@touchpoint/protocol';
import { z } from 'zod';
import type { DueDelivery } from '../../webhooks/deliveries.js';
import type { WebhookEndpoint } from '../../webhooks/endpoints.js';
import { describeFailure, type DeliverySink, type SinkOutcome } from '../../webhooks/sink.js';
import { ZammadClient, ZammadError } from './client.js';
import { connectorActorId } from './actor.js';
import { firstArticle, openedCase, ticketTitle } from './ticket-text.js';
import type { ZammadTickets } from './tickets.js';

const caseRef = z.object({ id: z.string(), status: z.string(), receivedAt: z.number().int() });
const noteData = z.object({ staffId: z.string(), staff: z.string(), text: z.string() });

/** The ticket state a case status maps to: Zammad's default states `open` and `closed`. */
export function ticketState(status: CaseStatus | string): 'open' | 'closed' {
  return status === 'resolved' || status === 'closed' ? 'closed' : 'open';
}

/**
 * The Zammad connector's half of the delivery queue (issue 17): each case event becomes REST calls, so it is
 * retried, dead-lettered and replayed like any webhook, and every attempt is in the console.
 * - case.opened: a ticket in the configured group, filed under the configured customer, whose first article
 *   has the link back, the diagnostics summary and the trace. A replay of it finds the mapping and stops.
 * - case.updated with a note: an internal note article; the connector's own notes (imported from Zammad) are
 *   not sent back.
 * - claimed, status, case.resolved: the ticket's state (`open`/`closed`) when it differs from the last known.
 * An update for a case whose ticket is not made yet fails the attempt, and is retried after the ticket; one for a
 * case older than the connector is delivered as nothing to do.
 */
export class ZammadSink implements DeliverySink {
  constructor(private readonly tickets: ZammadTickets) {}

  async deliver(endpoint: WebhookEndpoint, delivery: DueDelivery, signal: AbortSignal): Promise<SinkOutcome> {
    const client = new ZammadClient(endpoint.url, endpoint.secret, signal);
    try {
      await this.handle(endpoint, webhookEvent.parse(JSON.parse(delivery.body)), client);
      return { delivered: true, statusCode: client.lastStatus, error: null };
    } catch (err) {
      const statusCode = err instanceof ZammadError ? err.status : client.lastStatus;
      return { delivered: false, statusCode, error: describeFailure(err) };
    }
  }

  private async handle(endpoint: WebhookEndpoint, event: WebhookEvent, client: ZammadClient): Promise<void> {
    const settings = endpoint.zammad;
    if (!settings) throw new Error(`${endpoint.name} has no Zammad settings`);
    if (event.type === 'case.opened') {
      const c = openedCase.parse(event.data.case);
      if (this.tickets.byCase(endpoint.id, c.id)) return;
      const title = ticketTitle(c);
      const ticket = await client.createTicket({
        title,
        group: settings.group,
        // Zammad creates the customer on first use with the guess: prefix (API → Tickets → Create).
        customer: `guess:${settings.customer}`,
        article: { subject: title, body: firstArticle(c), content_type: 'text/plain', type: 'note', internal: false },
      });
      this.tickets.link(endpoint.id, c.id, ticket.id, ticket.number, 'new');
      for (const articleId of ticket.article_ids ?? []) this.tickets.noteArticle(endpoint.id, articleId, c.id, 'out');
      return;
    }
    if (event.type !== 'case.updated' && event.type !== 'case.resolved') return;
    const c = caseRef.parse(event.data.case);
    const link = this.tickets.byCase(endpoint.id, c.id);
    if (!link) {
      // A case the fleet stored before this connector existed never had its case.opened queued here: not ours.
      if (c.receivedAt < endpoint.createdAt) return;
      throw new Error(`case ${c.id} has no Zammad ticket yet (its case.opened is not delivered)`);
    }
    if (event.type === 'case.updated' && event.data.change === 'note') {
      const note = noteData.parse(event.data.note);
      if (note.staffId === connectorActorId(endpoint)) return;
      const article = await client.addArticle({
        ticket_id: link.ticketId,
        subject: `Note by ${note.staff}`,
        body: `${note.staff}: ${note.text}`,
        content_type: 'text/plain',
        type: 'note',
        internal: true,
      });
      this.tickets.noteArticle(endpoint.id, article.id, c.id, 'out');
      return;
    }
    const state = ticketState(c.status);
    if (link.state === state) return;
    await client.setState(link.ticketId, state);
    this.tickets.setState(endpoint.id, c.id, state);
  }
}
