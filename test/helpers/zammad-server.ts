import { createHmac } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { zammadArticleCreate, zammadTicketCreate, zammadTicketUpdate } from '@touchpoint/protocol';

/** A protocol schema as this server uses it: check a body, get its data or the problem. */
interface Checks<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { message: string } };
}

/** Zammad's default ticket states and their ids (a fresh installation's ticket_states table). */
const STATES: Record<string, number> = {
  new: 1,
  open: 2,
  'pending reminder': 3,
  closed: 4,
  merged: 5,
  'pending close': 7,
};

export interface FakeTicket {
  id: number;
  number: string;
  title: string;
  group: string;
  customer: string;
  state: string;
}

export interface FakeArticle {
  id: number;
  ticket_id: number;
  subject: string | undefined;
  body: string;
  content_type: string;
  internal: boolean;
  sender: 'Agent' | 'Customer' | 'System';
  from: string;
}

/**
 * A local Zammad for the connector's tests (issue 17): exactly the three REST endpoints the connector calls
 * (POST /api/v1/tickets, PUT /api/v1/tickets/:id, POST /api/v1/ticket_articles), with token auth and the
 * request and answer shapes of docs.zammad.org, checked with protocol's schemas. It also plays Zammad's
 * trigger: `reply` and `setState` change a ticket the way an agent does in Zammad's UI, then POST the default
 * webhook payload, signed `X-Hub-Signature: sha1=…` with the webhook's signature token.
 */
export class FakeZammad {
  readonly tickets = new Map<number, FakeTicket>();
  readonly articles: FakeArticle[] = [];
  /** Every API call, for assertions: method, path and the answer's status. */
  readonly calls: { method: string; path: string; status: number }[] = [];
  /** Answer the next calls with this status instead (a Zammad that is down). */
  failNext: number[] = [];
  private nextTicket = 80;
  private nextArticle = 100;
  private readonly changes = new EventEmitter();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly token: string,
  ) {}

  static async start(token = 'zammad-api-token-0123456789'): Promise<FakeZammad> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const zammad = new FakeZammad(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token);
    server.on('request', (req, res) => void zammad.handle(req, res));
    return zammad;
  }

  private send(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
    this.calls.push({ method: req.method ?? '', path: req.url ?? '', status });
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    this.changes.emit('change');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const failure = this.failNext.shift();
    if (failure) return this.send(req, res, failure, { error: 'Zammad is down for maintenance' });
    // Zammad answers a bad or missing token with 401 and this body.
    if (req.headers.authorization !== `Token token=${this.token}`)
      return this.send(req, res, 401, { error: 'Authentication required' });
    let json: unknown;
    try {
      json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return this.send(req, res, 422, { error: 'JSON parse error' });
    }
    const parse = <T>(schema: Checks<T>): T | undefined => {
      const parsed = schema.safeParse(json);
      if (!parsed.success) this.send(req, res, 422, { error: parsed.error.message });
      return parsed.success ? parsed.data : undefined;
    };
    const path = req.url ?? '';
    if (req.method === 'POST' && path === '/api/v1/tickets') {
      const body = parse(zammadTicketCreate);
      if (!body) return;
      const ticket: FakeTicket = {
        id: ++this.nextTicket,
        number: String(10000 + this.nextTicket),
        title: body.title,
        group: body.group,
        customer: body.customer,
        state: 'new',
      };
      this.tickets.set(ticket.id, ticket);
      this.addArticle(ticket.id, { ...body.article, sender: 'Agent', from: 'Touchpoint API' });
      return this.send(req, res, 201, this.ticketJson(ticket));
    }
    const update = /^\/api\/v1\/tickets\/(\d+)$/.exec(path);
    if (req.method === 'PUT' && update) {
      const ticket = this.tickets.get(Number(update[1]));
      if (!ticket) return this.send(req, res, 404, { error: "Couldn't find Ticket" });
      const body = parse(zammadTicketUpdate);
      if (!body) return;
      if (!(body.state in STATES)) return this.send(req, res, 422, { error: `No lookup value found for 'state'` });
      ticket.state = body.state;
      return this.send(req, res, 200, this.ticketJson(ticket));
    }
    if (req.method === 'POST' && path === '/api/v1/ticket_articles') {
      const body = parse(zammadArticleCreate);
      if (!body) return;
      if (!this.tickets.has(body.ticket_id)) return this.send(req, res, 404, { error: "Couldn't find Ticket" });
      const article = this.addArticle(body.ticket_id, { ...body, sender: 'Agent', from: 'Touchpoint API' });
      return this.send(req, res, 201, this.articleJson(article));
    }
    this.send(req, res, 404, { error: `No route matches [${req.method ?? ''}] "${path}"` });
  }

  private addArticle(
    ticketId: number,
    a: {
      subject?: string | undefined;
      body: string;
      content_type: string;
      internal: boolean;
      sender: FakeArticle['sender'];
      from: string;
    },
  ): FakeArticle {
    const article: FakeArticle = { id: ++this.nextArticle, ticket_id: ticketId, ...a, subject: a.subject };
    this.articles.push(article);
    return article;
  }

  /** A ticket as GET/POST/PUT /api/v1/tickets answer it (docs.zammad.org, API → Tickets). */
  private ticketJson(t: FakeTicket) {
    return {
      id: t.id,
      group_id: 1,
      priority_id: 2,
      state_id: STATES[t.state],
      organization_id: null,
      number: t.number,
      title: t.title,
      owner_id: 1,
      customer_id: 8,
      note: null,
      article_count: this.articles.filter((a) => a.ticket_id === t.id).length,
      updated_by_id: 3,
      created_by_id: 3,
      created_at: '2026-12-03T16:00:00.000Z',
      updated_at: new Date().toISOString(),
    };
  }

  /** An article as POST /api/v1/ticket_articles answers it (docs.zammad.org, API → Ticket articles). */
  private articleJson(a: FakeArticle) {
    return {
      id: a.id,
      ticket_id: a.ticket_id,
      type_id: 10,
      sender_id: a.sender === 'Customer' ? 2 : 1,
      from: a.from,
      to: null,
      subject: a.subject ?? null,
      body: a.body,
      content_type: a.content_type,
      internal: a.internal,
      created_by_id: 3,
      updated_by_id: 3,
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    };
  }

  /** Resolves once `check` holds after some API call; fails with `what` after `timeoutMs`. */
  waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const tryNow = () => {
        const value = check();
        if (!value) return false;
        this.changes.off('change', tryNow);
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        this.changes.off('change', tryNow);
        reject(new Error(`${what}: not seen within ${timeoutMs} ms; calls: ${JSON.stringify(this.calls)}`));
      }, timeoutMs);
      if (!tryNow()) this.changes.on('change', tryNow);
    });
  }

  /** The default trigger-webhook payload for a ticket and (optionally) one of its articles. */
  payload(
    ticketId: number,
    article?: FakeArticle,
  ): { ticket: Record<string, unknown>; article: Record<string, unknown> | null } {
    const t = this.tickets.get(ticketId)!;
    const ids = this.articles.filter((a) => a.ticket_id === ticketId).map((a) => a.id);
    return {
      ticket: { ...this.ticketJson(t), state: t.state, article_ids: ids, group: { id: 1, name: t.group } },
      article: article
        ? {
            ...this.articleJson(article),
            sender: article.sender,
            type: 'note',
            created_by: { firstname: 'Emma', lastname: 'Taylor', login: 'emma@example.com' },
          }
        : null,
    };
  }

  /** POSTs a trigger webhook to `url` as Zammad does, signed with `signatureToken`; returns the answer. */
  async trigger(url: string, signatureToken: string, payload: unknown): Promise<{ status: number; body: unknown }> {
    const body = JSON.stringify(payload);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Zammad User Agent',
        'x-zammad-trigger': 'Touchpoint sync',
        'x-zammad-delivery': `delivery-${Math.random().toString(36).slice(2)}`,
        'x-hub-signature': `sha1=${createHmac('sha1', signatureToken).update(body).digest('hex')}`,
      },
      body,
    });
    return { status: res.status, body: await res.json() };
  }

  /** An agent's public reply in Zammad's UI, as an HTML article. */
  reply(ticketId: number, html: string): FakeArticle {
    return this.addArticle(ticketId, {
      body: html,
      content_type: 'text/html',
      internal: false,
      sender: 'Agent',
      from: 'Emma Taylor',
    });
  }

  setState(ticketId: number, state: string): void {
    this.tickets.get(ticketId)!.state = state;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
