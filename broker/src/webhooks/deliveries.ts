import {
  ErrorCode,
  TouchpointError,
  deliveryStatus,
  webhookEventType,
  type DeliveryAttempt,
  type DeliveryStatus,
  type DeliveryView,
  type WebhookEvent,
} from '@touchpoint/protocol';
import type { Db } from '../db/database.js';
import { statementCache, type Prepare } from '../db/statement-cache.js';

/** A delivery the worker is about to attempt. */
export interface DueDelivery {
  id: number;
  endpointId: string;
  eventId: string;
  body: string;
  /** Attempts made before this one. */
  attempts: number;
}

/** What one attempt found out. */
export interface AttemptResult {
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

interface DeliveryRow {
  id: number;
  endpoint_id: string;
  endpoint_name: string;
  event_id: string;
  event_type: string;
  status: string;
  next_attempt_at: number | null;
  created_at: number;
  finished_at: number | null;
  replay_of: number | null;
}

interface AttemptRow {
  delivery_id: number;
  attempt: number;
  at: number;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  next_attempt_at: number | null;
}

/** Longest error text kept per attempt: a receiver's page of HTML is not a diagnosis. */
const MAX_ERROR_CHARS = 500;

/**
 * The durable delivery queue (migration 013): one row per event per endpoint, every attempt recorded.
 * The worker (worker.ts) takes due rows, and records each attempt's outcome here in one transaction.
 */
export class DeliveryQueue {
  private readonly sql: Prepare;
  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  enqueue(endpointId: string, event: WebhookEvent, now = Date.now()): number {
    return Number(
      this.sql(
        "INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, body, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)",
      ).run(endpointId, event.id, event.type, JSON.stringify(event), now, now).lastInsertRowid,
    );
  }

  /** Pending deliveries due by `now` of enabled endpoints, oldest first, leaving out those already in flight. */
  due(now: number, limit: number, inFlight: ReadonlySet<number>): DueDelivery[] {
    const rows = this.sql(
      "SELECT d.id, d.endpoint_id AS endpointId, d.event_id AS eventId, d.body, d.attempts FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND e.enabled = 1 ORDER BY d.next_attempt_at, d.id LIMIT ?",
    ).all(now, limit + inFlight.size) as DueDelivery[];
    return rows.filter((r) => !inFlight.has(r.id)).slice(0, limit);
  }

  /**
   * Takes a due delivery for one attempt by moving its due time to `leaseUntil` (past the attempt's timeout).
   * Only one taker wins, in this process or another on the same database; if the taker dies mid-attempt the
   * delivery is simply due again when the lease runs out. False when it was taken or finished meanwhile.
   */
  claim(id: number, now: number, leaseUntil: number): boolean {
    return (
      this.sql(
        "UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?",
      ).run(leaseUntil, id, now).changes === 1
    );
  }

  /** Gives a claimed delivery back, due at `at`, without counting an attempt (the broker is stopping). */
  release(id: number, at: number): void {
    this.sql("UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ? AND status = 'pending'").run(at, id);
  }

  /** When the next pending delivery of an enabled endpoint is due, if any: how long the worker may sleep. */
  nextDueAt(): number | null {
    return (
      (this.sql(
        "SELECT MIN(d.next_attempt_at) FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.status = 'pending' AND e.enabled = 1",
      )
        .pluck()
        .get() as number | null) ?? null
    );
  }

  /**
   * Records an attempt and moves the delivery on: delivered, due again at `retryAt`, or dead (`retryAt` null
   * and not delivered).
   */
  recordAttempt(id: number, result: AttemptResult, delivered: boolean, retryAt: number | null, now = Date.now()): void {
    const status: DeliveryStatus = delivered ? 'delivered' : retryAt === null ? 'dead' : 'pending';
    const error = result.error === null ? null : result.error.slice(0, MAX_ERROR_CHARS);
    this.db.transaction(() => {
      const attempt =
        (this.sql('UPDATE webhook_deliveries SET attempts = attempts + 1 WHERE id = ? RETURNING attempts')
          .pluck()
          .get(id) as number | undefined) ?? 0;
      if (attempt === 0) return; // deleted with its endpoint while in flight
      this.sql(
        'INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, duration_ms, error, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(id, attempt, now, result.statusCode, result.durationMs, error, status === 'pending' ? retryAt : null);
      this.sql('UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, finished_at = ? WHERE id = ?').run(
        status,
        status === 'pending' ? retryAt : null,
        status === 'pending' ? null : now,
        id,
      );
    })();
  }

  /** A new pending delivery of the same event and bytes to the same endpoint, due now (any status may be replayed). */
  replay(id: number, now = Date.now()): number {
    const original = this.sql(
      'SELECT endpoint_id, event_id, event_type, body FROM webhook_deliveries WHERE id = ?',
    ).get(id) as { endpoint_id: string; event_id: string; event_type: string; body: string } | undefined;
    if (!original) throw new TouchpointError(ErrorCode.NOT_FOUND, `delivery ${id} does not exist`);
    return Number(
      this.sql(
        "INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, body, status, attempts, next_attempt_at, created_at, replay_of) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
      ).run(original.endpoint_id, original.event_id, original.event_type, original.body, now, now, id).lastInsertRowid,
    );
  }

  get(id: number): DeliveryView | undefined {
    return this.views(
      this.sql(
        'SELECT d.*, e.name AS endpoint_name FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = ?',
      ).all(id) as DeliveryRow[],
    )[0];
  }

  /** Newest first, with every attempt. */
  list(filter: {
    status?: DeliveryStatus | undefined;
    endpointId?: string | undefined;
    limit: number;
  }): DeliveryView[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.status) {
      where.push('d.status = ?');
      args.push(filter.status);
    }
    if (filter.endpointId) {
      where.push('d.endpoint_id = ?');
      args.push(filter.endpointId);
    }
    const rows = this.sql(
      `SELECT d.*, e.name AS endpoint_name FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY d.id DESC LIMIT ?`,
    ).all(...args, Math.min(filter.limit, 200)) as DeliveryRow[];
    return this.views(rows);
  }

  /**
   * Forgets finished deliveries (with their attempts) that ended before the cut-offs: the history is for
   * looking into recent failures, not an archive. Pending ones are never pruned. Returns how many went.
   */
  prune(deliveredBefore: number, deadBefore: number): number {
    return this.sql(
      "DELETE FROM webhook_deliveries WHERE (status = 'delivered' AND finished_at < ?) OR (status = 'dead' AND finished_at < ?)",
    ).run(deliveredBefore, deadBefore).changes;
  }

  /** Pending and dead deliveries per endpoint, for the list of endpoints. */
  counts(): Map<string, { pending: number; dead: number }> {
    const rows = this.sql(
      "SELECT endpoint_id AS id, SUM(status = 'pending') AS pending, SUM(status = 'dead') AS dead FROM webhook_deliveries GROUP BY endpoint_id",
    ).all() as { id: string; pending: number; dead: number }[];
    return new Map(rows.map((r) => [r.id, { pending: r.pending, dead: r.dead }]));
  }

  private views(rows: DeliveryRow[]): DeliveryView[] {
    if (rows.length === 0) return [];
    const attempts = new Map<number, DeliveryAttempt[]>();
    const ids = rows.map((r) => r.id);
    const found = this.db
      .prepare(
        `SELECT delivery_id, attempt, at, status_code, duration_ms, error, next_attempt_at FROM webhook_attempts WHERE delivery_id IN (${ids.map(() => '?').join(', ')}) ORDER BY delivery_id, attempt`,
      )
      .all(...ids) as AttemptRow[];
    for (const a of found) {
      const list = attempts.get(a.delivery_id) ?? [];
      list.push({
        attempt: a.attempt,
        at: a.at,
        statusCode: a.status_code,
        durationMs: a.duration_ms,
        error: a.error,
        nextAttemptAt: a.next_attempt_at,
      });
      attempts.set(a.delivery_id, list);
    }
    return rows.map((r) => ({
      id: r.id,
      endpointId: r.endpoint_id,
      endpointName: r.endpoint_name,
      eventId: r.event_id,
      eventType: webhookEventType.parse(r.event_type),
      status: deliveryStatus.parse(r.status),
      attempts: attempts.get(r.id) ?? [],
      nextAttemptAt: r.next_attempt_at,
      createdAt: r.created_at,
      finishedAt: r.finished_at,
      replayOf: r.replay_of,
    }));
  }
}
