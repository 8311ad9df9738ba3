import { sql } from 'kysely';
import type { SqlStore } from '../db/sql-store.js';

const PREVIEW_BYTES = 512;
const KEEP_ROWS = 10_000;

export interface QuarantinedMessage {
  at: number;
  clientId: string | null;
  topic: string;
  code: string;
  reason: string;
}

/** Rejected messages are kept (bounded) with their code and reason, so nothing bad disappears without a trace. */
export class Quarantine {
  private readonly insert;
  private added = 0;
  constructor(private readonly store: SqlStore) {
    this.insert = store.prepare<
      { at: number; clientId: string | null; topic: string; code: string; reason: string; preview: string },
      unknown
    >((q, $) =>
      q.insertInto('rejected_messages').values({
        at: $('at'),
        client_id: $('clientId'),
        topic: $('topic'),
        code: $('code'),
        reason: $('reason'),
        payload_preview: $('preview'),
      }),
    );
  }

  async add(clientId: string | null, topic: string, code: string, reason: string, payload: Buffer): Promise<void> {
    await this.store.run(
      this.insert.bind({
        at: Date.now(),
        clientId,
        topic,
        code,
        reason,
        preview: payload.subarray(0, PREVIEW_BYTES).toString('utf8'),
      }),
    );
    if (++this.added % 1000 === 0)
      await this.store.run(
        this.store.q
          .deleteFrom('rejected_messages')
          .where('id', '<=', sql<number>`(SELECT MAX(id) FROM rejected_messages) - ${KEEP_ROWS}`),
      );
  }

  async list(limit = 100): Promise<QuarantinedMessage[]> {
    const rows = await this.store.all(
      this.store.q
        .selectFrom('rejected_messages')
        .select(['at', 'client_id', 'topic', 'code', 'reason'])
        .orderBy('id', 'desc')
        .limit(limit),
    );
    return rows.map((r) => ({ at: r.at, clientId: r.client_id, topic: r.topic, code: r.code, reason: r.reason }));
  }
}
