import type { Statement } from 'better-sqlite3';
import type { Logger } from '../logger.js';
import { readMeta, writeMeta, type AgentDatabase } from '../store/database.js';

/** What a report is. Only telemetry may be dropped when the outbox is full. */
export type ReportKind = 'diagnostics' | 'event' | 'result' | 'case';
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

/**
 * The durable outbox: every report is committed to SQLite before it is
 * published, deleted on PUBACK, and replayed in `seq` order after a reconnect
 * or a restart. A crash between PUBACK and delete re-sends one report; the
 * fleet service ingests idempotently by message id, so it lands once.
 *
 * `take` hands out entries in order and remembers them as in flight until
 * `ack` or `rewind` (new connection: everything unacknowledged goes again).
 */
export class Outbox {
  private count = 0;
  private bytes = 0;
  private droppedTotal: number;
  private cursor = 0;
  private readonly inflight = new Set<number>();
  private readonly listeners = new Set<() => void>();
  private warnedFull = false;
  private readonly insert: Statement<[string, string, string, Buffer, number, number]>;
  private readonly remove: Statement<[number]>;
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
    this.after = db.prepare(
      'SELECT seq, kind, topic, message_id, payload FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?',
    );
    this.oldestTelemetry = db.prepare(`SELECT seq, bytes FROM outbox WHERE kind = '${TELEMETRY}' ORDER BY seq LIMIT ?`);
  }

  /** Entries waiting for a PUBACK, in flight or not. */
  get depth(): number {
    return this.count;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  /** Reports dropped to stay within the bound, ever (persisted across restarts). */
  get dropped(): number {
    return this.droppedTotal;
  }

  get inflightCount(): number {
    return this.inflight.size;
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

  /** Up to `limit` entries after the ones already handed out, in order; they count as in flight. */
  take(limit: number): OutboxEntry[] {
    if (limit <= 0) return [];
    const rows = this.after.all(this.cursor, limit);
    const entries: OutboxEntry[] = [];
    for (const row of rows) {
      this.cursor = row.seq;
      this.inflight.add(row.seq);
      entries.push({ seq: row.seq, kind: row.kind, topic: row.topic, messageId: row.message_id, payload: row.payload });
    }
    return entries;
  }

  /** PUBACK received: the entry is done. */
  ack(seq: number): void {
    this.inflight.delete(seq);
    const row = this.remove.get(seq) as { bytes: number } | undefined;
    if (row) {
      this.count--;
      this.bytes -= row.bytes;
    }
  }

  /** A new connection: everything not acknowledged is sent again, from the oldest. */
  rewind(): void {
    this.cursor = 0;
    this.inflight.clear();
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
    // Read a batch of the oldest telemetry; in-flight rows are skipped, not dropped (they may already be acknowledged).
    while (this.overBound()) {
      const candidates = this.oldestTelemetry.all(this.inflight.size + 64).filter((row) => !this.inflight.has(row.seq));
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
