import type { Db } from '../db/database.js';

const PREVIEW_BYTES = 512;
const KEEP_ROWS = 10_000;

/** Rejected messages are kept (bounded) with their code and reason, so nothing bad disappears without a trace. */
export class Quarantine {
  private readonly insert;
  private added = 0;
  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      'INSERT INTO rejected_messages (at, client_id, topic, code, reason, payload_preview) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  add(clientId: string | null, topic: string, code: string, reason: string, payload: Buffer): void {
    this.insert.run(Date.now(), clientId, topic, code, reason, payload.subarray(0, PREVIEW_BYTES).toString('utf8'));
    if (++this.added % 1000 === 0)
      this.db
        .prepare('DELETE FROM rejected_messages WHERE id <= (SELECT MAX(id) FROM rejected_messages) - ?')
        .run(KEEP_ROWS);
  }

  list(limit = 100): { at: number; clientId: string | null; topic: string; code: string; reason: string }[] {
    return (
      this.db
        .prepare('SELECT at, client_id, topic, code, reason FROM rejected_messages ORDER BY id DESC LIMIT ?')
        .all(limit) as { at: number; client_id: string | null; topic: string; code: string; reason: string }[]
    ).map((r) => ({ at: r.at, clientId: r.client_id, topic: r.topic, code: r.code, reason: r.reason }));
  }
}
