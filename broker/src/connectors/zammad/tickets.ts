import type { Db } from '../../db/database.js';
import { statementCache, type Prepare } from '../../db/statement-cache.js';

export interface TicketLink {
  endpointId: string;
  caseId: string;
  ticketId: number;
  ticketNumber: string | null;
  /** The ticket's state as the connector last set or saw it (`open`, `closed`, …). */
  state: string;
}

/**
 * The case↔ticket mapping and the articles the connector wrote or imported (migration 013). An article id
 * seen here is never imported again: Zammad's trigger fires for the connector's own articles too.
 */
export class ZammadTickets {
  private readonly sql: Prepare;
  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  byCase(endpointId: string, caseId: string): TicketLink | undefined {
    return this.sql(
      'SELECT endpoint_id AS endpointId, case_id AS caseId, ticket_id AS ticketId, ticket_number AS ticketNumber, state FROM zammad_tickets WHERE endpoint_id = ? AND case_id = ?',
    ).get(endpointId, caseId) as TicketLink | undefined;
  }

  byTicket(endpointId: string, ticketId: number): TicketLink | undefined {
    return this.sql(
      'SELECT endpoint_id AS endpointId, case_id AS caseId, ticket_id AS ticketId, ticket_number AS ticketNumber, state FROM zammad_tickets WHERE endpoint_id = ? AND ticket_id = ?',
    ).get(endpointId, ticketId) as TicketLink | undefined;
  }

  link(
    endpointId: string,
    caseId: string,
    ticketId: number,
    ticketNumber: string,
    state: string,
    now = Date.now(),
  ): void {
    this.sql(
      'INSERT INTO zammad_tickets (endpoint_id, case_id, ticket_id, ticket_number, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(endpointId, caseId, ticketId, ticketNumber, state, now, now);
  }

  setState(endpointId: string, caseId: string, state: string, now = Date.now()): void {
    this.sql('UPDATE zammad_tickets SET state = ?, updated_at = ? WHERE endpoint_id = ? AND case_id = ?').run(
      state,
      now,
      endpointId,
      caseId,
    );
  }

  /** Records an article; false when it was recorded before (ours echoed back, or a repeated webhook). */
  noteArticle(
    endpointId: string,
    articleId: number,
    caseId: string,
    direction: 'out' | 'in',
    now = Date.now(),
  ): boolean {
    return (
      this.sql(
        'INSERT INTO zammad_articles (endpoint_id, article_id, case_id, direction, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ).run(endpointId, articleId, caseId, direction, now).changes === 1
    );
  }

  list(endpointId: string): TicketLink[] {
    return this.sql(
      'SELECT endpoint_id AS endpointId, case_id AS caseId, ticket_id AS ticketId, ticket_number AS ticketNumber, state FROM zammad_tickets WHERE endpoint_id = ? ORDER BY created_at',
    ).all(endpointId) as TicketLink[];
  }
}
