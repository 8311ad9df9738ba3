import type { Statement } from 'better-sqlite3';
import type { Logger } from '../logger.js';
import { readMeta, writeMeta, type AgentDatabase } from '../store/database.js';

/** What a report is. Only telemetry may be dropped when the outbox is full. */
export type ReportKind = 'diagnostics' | 'event' | 'result' | 'case' | 'bundle' | 'chat';
const TELEMETRY: ReportKind = 'diagnostics';
const DROPPED_KEY = 'outbox.dropped';

export interface OutboxEntry {
  seq: number;
  kind: ReportKind;
  topic: string;
  messageId: string;
  payload: Buffer;
}

export interface OutboxLimits {
  maxBytes: number;
  maxEntries: number;
}

interface Row {
  seq: number;
  kind: ReportKind;
  topic: string;
  message_id: string;
  payload: Buffer;
}

/** An entry the fleet's receipt settled: deleted from the outbox. */
export interface SettledEntry {
  seq: number;
  kind: ReportKind;
  messageId: string;
}

/**
 * The durable outbox: every report is committed to SQLite before it is
 * published, deleted when the fleet's receipt names its message id (issue 15:
 * not on PUBACK, which a clustered engine sends before any fleet worker stored
 * the report), and sent again in `seq` order after a reconnect, a restart, or
 * a wait without a receipt. A re-send of a stored report is harmless: the fleet
 * ingests idempotently by message id and receipts the duplicate too.
 *
 * `take` hands out entries in order and remembers them as out (sent, awaiting
 * a receipt) until `settle` or `rewind` (everything unreceipted goes again).
 */
export class Outbox {
  private count = 0;
  private bytes = 0;
  private droppedTotal: number;
  private cursor = 0;
  /** Entries sent and not yet receipted, in the order they were sent, with when. */
  private readonly out = new Map<number, number>();
  private readonly listeners = new Set<() => void>();
  private warnedFull = false;
  private readonly insert: Statement<[string, string, string, Buffer, number, number]>;
  private readonly remove: Statement<[number]>;
  private readonly removeById: Statement<[string], { seq: number; kind: ReportKind; bytes: number }>;
  private readonly after: Statement<[number, number], Row>;
  private readonly oldestTelemetry: Statement<[number], { seq: number; bytes: number }>;

  constructor(
    private readonly db: AgentDatabase,
    private readonly limits: OutboxLimits,
    private readonly logger: Logger,
  ) {
    const totals = db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM outbox').get() as {
      n: number;
      b: number;
    };
    this.count = totals.n;
    this.bytes = totals.b;
    this.droppedTotal = Number(readMeta(db, DROPPED_KEY) ?? '0');
    this.insert = db.prepare(
      'INSERT INTO outbox (kind, topic, message_id, payload, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.remove = db.prepare('DELETE FROM outbox WHERE seq = ? RETURNING bytes');
    this.removeById = db.prepare('DELETE FROM outbox WHERE message_id = ? RETURNING seq, kind, bytes');
    this.after = db.prepare(
      'SELECT seq, kind, topic, message_id, payload FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?',
    );
    this.oldestTelemetry = db.prepare(`SELECT seq, bytes FROM outbox WHERE kind = '${TELEMETRY}' ORDER BY seq LIMIT ?`);
  }

  /** Entries waiting for a receipt, sent or not. */
  get depth(): number {
    return this.count;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  /** When the oldest waiting entry was queued (ms since epoch), undefined when empty (support bundles, issue 17). */
  get oldestQueuedAt(): number | undefined {
    const row = this.db.prepare('SELECT MIN(created_at) AS at FROM outbox').get() as { at: number | null };
    return row.at ?? undefined;
  }

  /** Reports dropped to stay within the bound, ever (persisted across restarts). */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Entries sent and awaiting a receipt. */
  get outstanding(): number {
    return this.out.size;
  }

  /** When the oldest entry still awaiting a receipt was sent, if any. */
  get oldestSentAt(): number | undefined {
    for (const sentAt of this.out.values()) return sentAt;
    return undefined;
  }

  /** Called after every enqueue (the publisher pumps on it). */
  onEnqueue(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Commit a report; when the bound is exceeded the oldest telemetry that is not in flight goes first. */
  enqueue(kind: ReportKind, topic: string, messageId: string, payload: string): number {
    const body = Buffer.from(payload, 'utf8');
    const seq = this.db.transaction(() => {
      const info = this.insert.run(kind, topic, messageId, body, body.length, Date.now());
      this.count++;
      this.bytes += body.length;
      this.enforceBound();
      return Number(info.lastInsertRowid);
    })();
    for (const listener of this.listeners) listener();
    return seq;
  }

  /** Up to `limit` entries after the ones already handed out, in order; they count as out from `now`. */
  take(limit: number, now: number = Date.now()): OutboxEntry[] {
    if (limit <= 0) return [];
    const rows = this.after.all(this.cursor, limit);
    const entries: OutboxEntry[] = [];
    for (const row of rows) {
      this.cursor = row.seq;
      this.out.set(row.seq, now);
      entries.push({ seq: row.seq, kind: row.kind, topic: row.topic, messageId: row.message_id, payload: row.payload });
    }
    return entries;
  }

  /**
   * A receipt named these message ids: delete their entries, sent on this connection or an earlier one.
   * Ids the outbox does not hold (settled before, or never ours) are skipped.
   */
  settle(messageIds: readonly string[]): SettledEntry[] {
    if (messageIds.length === 0) return [];
    return this.db.transaction(() => {
      const settled: SettledEntry[] = [];
      for (const messageId of messageIds) {
        const row = this.removeById.get(messageId);
        if (!row) continue;
        this.out.delete(row.seq);
        this.count--;
        this.bytes -= row.bytes;
        settled.push({ seq: row.seq, kind: row.kind, messageId });
      }
      return settled;
    })();
  }

  /** A new connection, or no receipt in time: everything not receipted is sent again, from the oldest. */
  rewind(): void {
    this.cursor = 0;
    this.out.clear();
  }

  /** Everything still queued, oldest first (diagnostics, tests). */
  peekAll(): OutboxEntry[] {
    return (
      this.db.prepare('SELECT seq, kind, topic, message_id, payload FROM outbox ORDER BY seq').all() as Row[]
    ).map((row) => ({
      seq: row.seq,
      kind: row.kind,
      topic: row.topic,
      messageId: row.message_id,
      payload: row.payload,
    }));
  }

  private overBound(): boolean {
    return this.count > this.limits.maxEntries || this.bytes > this.limits.maxBytes;
  }

  private enforceBound(): void {
    if (!this.overBound()) {
      this.warnedFull = false;
      return;
    }
    let dropped = 0;
    // Read a batch of the oldest telemetry; rows out are skipped, not dropped (the fleet may have stored them).
    while (this.overBound()) {
      const candidates = this.oldestTelemetry.all(this.out.size + 64).filter((row) => !this.out.has(row.seq));
      if (candidates.length === 0) break;
      for (const row of candidates) {
        if (!this.overBound()) break;
        this.remove.run(row.seq);
        this.count--;
        this.bytes -= row.bytes;
        dropped++;
      }
    }
    if (dropped > 0) {
      this.droppedTotal += dropped;
      writeMeta(this.db, DROPPED_KEY, String(this.droppedTotal));
      this.logger.warn('outbox full: dropped the oldest diagnostics', {
        dropped,
        droppedTotal: this.droppedTotal,
        depth: this.count,
        bytes: this.bytes,
      });
    }
    if (this.overBound() && !this.warnedFull) {
      // Events, results and cases are never dropped; the bound is exceeded until the broker is back.
      this.warnedFull = true;
      this.logger.warn('outbox over its bound with only events, results and cases left; keeping them', {
        depth: this.count,
        bytes: this.bytes,
      });
    }
  }
}
