import type { Db } from '../db/database.js';

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

/** The append-only audit log: every staff action, login, refusal and consent receipt. */
export class AuditLog {
  private readonly insert;
  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      'INSERT INTO audit (at, actor, actor_role, action, device_id, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  record(entry: AuditEntry, at: number = Date.now()): void {
    this.insert.run(
      at,
      entry.actor,
      entry.actorRole ?? null,
      entry.action,
      entry.deviceId ?? null,
      entry.target ?? null,
      entry.outcome,
      entry.detail ? JSON.stringify(entry.detail) : null,
    );
  }

  list(filter: { deviceId?: string; action?: string; limit?: number; before?: number } = {}): AuditRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, value: string | number) => {
      where.push(clause);
      args.push(value);
    };
    if (filter.deviceId) add('device_id = ?', filter.deviceId);
    if (filter.action) add('action = ?', filter.action);
    if (filter.before) add('id < ?', filter.before);
    const rows = this.db
      .prepare(
        `SELECT id, at, actor, actor_role, action, device_id, target, outcome, detail FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      )
      .all(...args, Math.min(filter.limit ?? 100, 1000)) as {
      id: number;
      at: number;
      actor: string;
      actor_role: string | null;
      action: string;
      device_id: string | null;
      target: string | null;
      outcome: AuditEntry['outcome'];
      detail: string | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      actorRole: r.actor_role ?? undefined,
      action: r.action,
      deviceId: r.device_id ?? undefined,
      target: r.target ?? undefined,
      outcome: r.outcome,
      detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
    }));
  }
}
