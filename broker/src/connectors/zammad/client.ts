import {
  zammadArticle,
  zammadTicket,
  type ZammadArticle,
  type ZammadArticleCreate,
  type ZammadTicket,
  type ZammadTicketCreate,
} from '@touchpoint/protocol';
import type { z } from 'zod';

/** A Zammad answer other than the expected 2xx; the status goes to the delivery's attempt log. */
export class ZammadError extends Error {
  constructor(
    readonly status: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'ZammadError';
  }
}

/**
 * The three Zammad REST calls the connector makes (docs.zammad.org, API → Tickets, Articles), with token auth
 * (`Authorization: Token token=…`). Every call takes the attempt's abort signal; answers are checked with
 * protocol's schemas, so a proxy's HTML error page is a clear failure, not an undefined ticket id.
 */
export class ZammadClient {
  /** The status of the last answer, for the attempt log. */
  lastStatus: number | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly signal: AbortSignal,
  ) {}

  createTicket(ticket: ZammadTicketCreate): Promise<ZammadTicket> {
    return this.call('POST', '/api/v1/tickets', ticket, zammadTicket);
  }

  setState(ticketId: number, state: string): Promise<ZammadTicket> {
    return this.call('PUT', `/api/v1/tickets/${ticketId}`, { state }, zammadTicket);
  }

  addArticle(article: ZammadArticleCreate): Promise<ZammadArticle> {
    return this.call('POST', '/api/v1/ticket_articles', article, zammadArticle);
  }

  private async call<S extends z.ZodType>(
    method: string,
    path: string,
    body: unknown,
    schema: S,
  ): Promise<z.output<S>> {
    const url = new URL(path, this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      signal: this.signal,
      headers: {
        authorization: `Token token=${this.token}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
    });
    this.lastStatus = res.status;
    const text = await res.text();
    if (res.status < 200 || res.status >= 300)
      throw new ZammadError(res.status, `Zammad ${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ZammadError(res.status, `Zammad ${method} ${path}: the answer is not JSON`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ZammadError(res.status, `Zammad ${method} ${path}: unexpected answer`);
    return parsed.data;
  }
}
