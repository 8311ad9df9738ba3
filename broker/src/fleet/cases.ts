import {
  ErrorCode,
  TouchpointError,
  caseStatus,
  deviceTopic,
  header,
  type CaseStatus,
  type CaseHistoryFilter,
  type CaseStatusMessage,
  type HelpTraceEntry,
} from '@touchpoint/protocol';
import { statementCache, type Prepare } from '../db/statement-cache.js';
import { caseHistoryByIds, caseHistoryOptions, listCaseHistory } from './case-history.js';
import type { Db } from '../db/database.js';
import type { AuditLog } from './audit.js';
import type { Publish } from './commands.js';
import type { LiveBus } from './live.js';
import type { StaffMember } from './staff.js';

export interface CaseRecord {
  id: string;
  deviceId: string;
  /** The customer's request time (issue 16). */
  openedAt: number;
  /** When the fleet stored the request. */
  receivedAt: number;
  reason: string;
  flowId: string | null;
  sessionId: string | null;
  locale: string | null;
  status: CaseStatus;
  assignee: string | null;
  claimedAt: number | null;
  resolvedAt: number | null;
  /** Who first resolved or closed it (migration 010). */
  resolvedBy: string | null;
  trace: HelpTraceEntry[];
  diagnostics: unknown;
  notes: { staffId: string; at: number; text: string }[];
}

interface RawCase {
  id: string;
  device_id: string;
  opened_at: number;
  received_at: number;
  reason: string;
  flow_id: string | null;
  session_id: string | null;
  locale: string | null;
  status: string;
  assignee: string | null;
  claimed_at: number | null;
  resolved_at: number | null;
  resolved_by: string | null;
  trace: string;
  diagnostics: string | null;
}

/** The escalation queue: cases opened by customers, worked by staff, with status mirrored to the device. */
export class Cases {
  private readonly sql: Prepare;
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly live: LiveBus,
    private readonly publish: Publish,
  ) {
    this.sql = statementCache(db);
  }

  get(caseId: string): CaseRecord | undefined {
    const r = this.sql('SELECT * FROM cases WHERE id = ?').get(caseId) as RawCase | undefined;
    if (!r) return undefined;
    const notes = this.sql('SELECT staff_id AS staffId, at, text FROM case_notes WHERE case_id = ? ORDER BY id').all(
      caseId,
    ) as CaseRecord['notes'];
    return {
      id: r.id,
      deviceId: r.device_id,
      openedAt: r.opened_at,
      receivedAt: r.received_at,
      reason: r.reason,
      flowId: r.flow_id,
      sessionId: r.session_id,
      locale: r.locale,
      status: caseStatus.parse(r.status),
      assignee: r.assignee,
      claimedAt: r.claimed_at,
      resolvedAt: r.resolved_at,
      resolvedBy: r.resolved_by,
      trace: JSON.parse(r.trace) as HelpTraceEntry[],
      diagnostics: r.diagnostics ? (JSON.parse(r.diagnostics) as unknown) : null,
      notes,
    };
  }

  /** Open and claimed cases, longest waiting first. */
  queue(limit = 100, offset = 0): { items: CaseRecord[]; total: number } {
    const total = this.sql("SELECT COUNT(*) FROM cases WHERE status IN ('open', 'claimed')").pluck().get() as number;
    const ids = this.sql(
      "SELECT id FROM cases WHERE status IN ('open', 'claimed') ORDER BY opened_at ASC LIMIT ? OFFSET ?",
    )
      .pluck()
      .all(Math.min(limit, 500), offset) as string[];
    return { items: ids.map((id) => this.get(id)!), total };
  }

  /** The case history: every status, filtered, newest request first (issue 16). The caller bounds `limit`. */
  history(filter: CaseHistoryFilter, limit = 50, offset = 0) {
    return listCaseHistory(this.sql, filter, limit, offset);
  }

  historyByIds(ids: readonly string[]) {
    return caseHistoryByIds(this.sql, ids);
  }

  historyOptions() {
    return caseHistoryOptions(this.sql);
  }

  listForDevice(deviceId: string, limit = 50): CaseRecord[] {
    const ids = this.sql('SELECT id FROM cases WHERE device_id = ? ORDER BY opened_at DESC LIMIT ?')
      .pluck()
      .all(deviceId, Math.min(limit, 500)) as string[];
    return ids.map((id) => this.get(id)!);
  }

  /**
   * Claims, assigns, resolves or closes a case; the device's screen follows on its status topic. Not retained
   * (some engines keep retained messages per node): a device offline now gets the status on its next birth
   * (online-resync.ts, issue 15).
   */
  async update(
    caseId: string,
    change: { status?: CaseStatus; assignee?: StaffMember },
    by: StaffMember,
    now = Date.now(),
  ): Promise<CaseRecord> {
    const current = this.get(caseId);
    if (!current) throw new TouchpointError(ErrorCode.NOT_FOUND, `case ${caseId} does not exist`);
    const status = change.status ?? (change.assignee ? 'claimed' : current.status);
    const assignee = change.assignee?.id ?? (status === 'claimed' && !current.assignee ? by.id : current.assignee);
    // The audit row is written inside the case's transaction: on SQLite (the only dialect this store runs
    // on yet) the store layer runs it at once, on the same connection; its promise is awaited after.
    let audited: Promise<void> = Promise.resolve();
    this.db.transaction(() => {
      this.sql(
        // resolved_by, like resolved_at, keeps the first resolution (the case history's staff filter, migration 010).
        "UPDATE cases SET status = ?, assignee = ?, claimed_at = COALESCE(claimed_at, CASE WHEN ? = 'claimed' THEN ? END), resolved_at = CASE WHEN ? IN ('resolved', 'closed') THEN COALESCE(resolved_at, ?) ELSE resolved_at END, resolved_by = CASE WHEN ? IN ('resolved', 'closed') THEN COALESCE(resolved_by, ?) ELSE resolved_by END WHERE id = ?",
      ).run(status, assignee, status, now, status, now, status, by.id, caseId);
      audited = this.audit.record(
        {
          actor: by.id,
          actorRole: by.role,
          action: 'case.update',
          deviceId: current.deviceId,
          target: caseId,
          outcome: 'ok',
          detail: { from: current.status, to: status, assignee },
        },
        now,
      );
    })();
    await audited;
    this.live.emit('case', { caseId, deviceId: current.deviceId, status, change: 'updated' });
    const agentName = status === 'claimed' ? (change.assignee ?? by).displayName : undefined;
    const message: CaseStatusMessage = { ...header(now), caseId, status, ...(agentName ? { agentName } : {}) };
    await this.publish(deviceTopic(current.deviceId, 'caseStatus'), JSON.stringify(message), { qos: 1, retain: false });
    return this.get(caseId)!;
  }

  async addNote(caseId: string, text: string, by: StaffMember, now = Date.now()): Promise<void> {
    const current = this.get(caseId);
    if (!current) throw new TouchpointError(ErrorCode.NOT_FOUND, `case ${caseId} does not exist`);
    this.sql('INSERT INTO case_notes (case_id, staff_id, at, text) VALUES (?, ?, ?, ?)').run(caseId, by.id, now, text);
    await this.audit.record(
      {
        actor: by.id,
        actorRole: by.role,
        action: 'case.note',
        deviceId: current.deviceId,
        target: caseId,
        outcome: 'ok',
      },
      now,
    );
    this.live.emit('caseNote', { caseId, deviceId: current.deviceId, staffId: by.id, at: now, text });
  }
}
