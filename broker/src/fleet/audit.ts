import type { SqlStore } from '../db/sql-store.js';

export interface AuditEntry {
  actor: string;
  actorRole?: string | undefined;
  action: string;
  deviceId?: string | undefined;
  target?: string | undefined;
  outcome: 'ok' | 'refused' | 'failed';
  detail?: Record<string, unknown> | undefined;
}

export interface AuditRow extends Omit<AuditEntry, 'detail'> {
  id: number;
  at: number;
  detail: Record<string, unknown> | null;
}

/**
 * The append-only audit log: every staff action, login, refusal and consent receipt; on the store
 * layer for SQLite and PostgreSQL (issue 15). `record` resolves once the entry is stored: a caller
 * awaits it before answering, so an action whose record failed is reported as failed.
 */
export class AuditLog {
  private readonly insert;
  constructor(
    private readonly store: SqlStore,
    private readonly onError: (err: unknown, entry: AuditEntry) => void = (err) =>
      process.emitWarning(`audit write failed: ${(err as Error).message}`),
  ) {
    this.insert = store.prepare<
      {
        at: number;
        actor: string;
        actorRole: string | null;
        action: string;
        deviceId: string | null;
        target: string | null;
        outcome: string;
        detail: string | null;
      },
      unknown
    >((q, $) =>
      q.insertInto('audit').values({
        at: $('at'),
        actor: $('actor'),
        actor_role: $('actorRole'),
        action: $('action'),
        device_id: $('deviceId'),
        target: $('target'),
        outcome: $('outcome'),
        detail: $('detail'),
      }),
    );
  }

  async record(entry: AuditEntry, at: number = Date.now()): Promise<void> {
    await this.store.run(
      this.insert.bind({
        at,
        actor: entry.actor,
        actorRole: entry.actorRole ?? null,
        action: entry.action,
        deviceId: entry.deviceId ?? null,
        target: entry.target ?? null,
        outcome: entry.outcome,
        detail: entry.detail ? JSON.stringify(entry.detail) : null,
      }),
    );
  }

  /**
   * For the synchronous paths still written for SQLite only (video calls and their timers, issue 15):
   * the write starts now (on SQLite it is done before this returns, on the same connection), and a
   * failure goes to `onError` (logged), as such a path has no caller to report it to.
   */
  recordSoon(entry: AuditEntry, at: number = Date.now()): void {
    this.record(entry, at).catch((err: unknown) => this.onError(err, entry));
  }

  async list(
    filter: { deviceId?: string; action?: string; limit?: number; before?: number } = {},
  ): Promise<AuditRow[]> {
    let query = this.store.q
      .selectFrom('audit')
      .select(['id', 'at', 'actor', 'actor_role', 'action', 'device_id', 'target', 'outcome', 'detail'])
      .orderBy('id', 'desc')
      .limit(Math.min(filter.limit ?? 100, 1000));
    if (filter.deviceId) query = query.where('device_id', '=', filter.deviceId);
    if (filter.action) query = query.where('action', '=', filter.action);
    if (filter.before) query = query.where('id', '<', filter.before);
    const rows = await this.store.all(query);
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      actorRole: r.actor_role ?? undefined,
      action: r.action,
      deviceId: r.device_id ?? undefined,
      target: r.target ?? undefined,
      outcome: r.outcome as AuditEntry['outcome'],
      detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
    }));
  }
}
