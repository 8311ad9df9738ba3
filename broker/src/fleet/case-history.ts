import { caseStatus, type CaseHistoryFilter, type CaseStatus } from '@touchpoint/protocol';
import type { Prepare } from '../db/statement-cache.js';

/** One case as the history lists and exports it: the summary without trace, diagnostics or notes. */
export interface CaseHistoryRow {
  id: string;
  deviceId: string;
  model: string | null;
  openedAt: number;
  receivedAt: number;
  reason: string;
  flowId: string | null;
  status: CaseStatus;
  assignee: string | null;
  claimedAt: number | null;
  resolvedAt: number | null;
  resolvedBy: string | null;
  /** The error codes of the diagnostics snapshot taken at escalation. */
  errorCodes: string[];
}

interface RawRow {
  id: string;
  device_id: string;
  model: string | null;
  opened_at: number;
  received_at: number;
  reason: string;
  flow_id: string | null;
  status: string;
  assignee: string | null;
  claimed_at: number | null;
  resolved_at: number | null;
  resolved_by: string | null;
  error_codes: string | null;
}

/** The snapshot, only when it is JSON (json_each and json_extract raise on anything else). */
const SNAPSHOT = 'CASE WHEN json_valid(c.diagnostics) THEN c.diagnostics END';

const COLUMNS = `c.id, c.device_id, d.model, c.opened_at, c.received_at, c.reason, c.flow_id, c.status, c.assignee,
  c.claimed_at, c.resolved_at, c.resolved_by, json_extract(${SNAPSHOT}, '$.mcu.errors') AS error_codes`;
const FROM = 'FROM cases c LEFT JOIN devices d ON d.id = c.device_id';

const likePattern = (text: string) => `%${text.replace(/[%_\\]/g, (ch) => `\\${ch}`)}%`;

function toRow(r: RawRow): CaseHistoryRow {
  const codes: unknown = r.error_codes ? JSON.parse(r.error_codes) : [];
  return {
    id: r.id,
    deviceId: r.device_id,
    model: r.model,
    openedAt: r.opened_at,
    receivedAt: r.received_at,
    reason: r.reason,
    flowId: r.flow_id,
    status: caseStatus.parse(r.status),
    assignee: r.assignee,
    claimedAt: r.claimed_at,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
    errorCodes: Array.isArray(codes) ? codes.filter((c): c is string => typeof c === 'string') : [],
  };
}

/** The WHERE clause and its arguments for a filter; every value is bound, never spliced into the SQL. */
function whereOf(filter: CaseHistoryFilter): { from: string; clause: string; args: (string | number)[] } {
  const where: string[] = [];
  const args: (string | number)[] = [];
  const add = (clause: string, ...values: (string | number)[]) => {
    where.push(clause);
    args.push(...values);
  };
  if (filter.search) {
    const like = likePattern(filter.search);
    add(
      `(c.id LIKE ? ESCAPE '\\' OR c.device_id LIKE ? ESCAPE '\\' OR c.reason LIKE ? ESCAPE '\\' OR c.flow_id LIKE ? ESCAPE '\\'
        OR EXISTS (SELECT 1 FROM case_notes n WHERE n.case_id = c.id AND n.text LIKE ? ESCAPE '\\'))`,
      like,
      like,
      like,
      like,
      like,
    );
  }
  if (filter.deviceId) add('c.device_id = ?', filter.deviceId);
  if (filter.model) add('d.model = ?', filter.model);
  // case_error_codes is filled from the snapshot when the case is stored (migration 012).
  if (filter.errorCode) add('c.id IN (SELECT case_id FROM case_error_codes WHERE code = ?)', filter.errorCode);
  if (filter.flowId) add('c.flow_id = ?', filter.flowId);
  // Two index lookups (migration 010); an OR in one WHERE would scan every case.
  if (filter.staffId)
    add(
      'c.id IN (SELECT id FROM cases WHERE assignee = ? UNION SELECT id FROM cases WHERE resolved_by = ?)',
      filter.staffId,
      filter.staffId,
    );
  if (filter.status) add('c.status = ?', filter.status);
  if (filter.from !== undefined) add('c.opened_at >= ?', filter.from);
  if (filter.to !== undefined) add('c.opened_at <= ?', filter.to);
  // The devices table only when the model is asked for: counting needs no join otherwise.
  const from = filter.model ? 'FROM cases c JOIN devices d ON d.id = c.device_id' : 'FROM cases c';
  return { from, clause: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}

/** Every case the filter matches, newest request first, `limit` from `offset`, and how many match in all. */
export function listCaseHistory(
  sql: Prepare,
  filter: CaseHistoryFilter,
  limit: number,
  offset: number,
): { items: CaseHistoryRow[]; total: number } {
  const { from, clause, args } = whereOf(filter);
  const total = sql(`SELECT COUNT(*) ${from} ${clause}`)
    .pluck()
    .get(...args) as number;
  // The page's ids first, then their columns: sorting whole rows would read every match's snapshot.
  const rows = sql(
    `SELECT ${COLUMNS} ${FROM} WHERE c.id IN (SELECT c.id ${from} ${clause} ORDER BY c.opened_at DESC, c.id LIMIT ? OFFSET ?)
     ORDER BY c.opened_at DESC, c.id`,
  ).all(...args, limit, offset) as RawRow[];
  return { items: rows.map(toRow), total };
}

/** The cases with these ids that exist, newest request first. */
export function caseHistoryByIds(sql: Prepare, ids: readonly string[]): CaseHistoryRow[] {
  // One bound JSON array instead of a variable-length IN list: one cached statement for any selection.
  const rows = sql(
    `SELECT ${COLUMNS} ${FROM} WHERE c.id IN (SELECT value FROM json_each(?)) ORDER BY c.opened_at DESC, c.id`,
  ).all(JSON.stringify(ids)) as RawRow[];
  return rows.map(toRow);
}

/** The values the history's filters can take: what occurs in stored cases. */
export function caseHistoryOptions(sql: Prepare): {
  models: string[];
  flows: string[];
  errorCodes: string[];
  staffIds: string[];
} {
  const strings = (query: string) => sql(query).pluck().all() as string[];
  return {
    // Each from an index: devices probe cases by device, flows and codes are leading index columns.
    models: strings(
      'SELECT DISTINCT d.model FROM devices d WHERE EXISTS (SELECT 1 FROM cases c WHERE c.device_id = d.id) ORDER BY 1',
    ),
    flows: strings('SELECT DISTINCT flow_id FROM cases WHERE flow_id IS NOT NULL ORDER BY 1'),
    errorCodes: strings('SELECT DISTINCT code FROM case_error_codes ORDER BY 1'),
    staffIds: strings(
      'SELECT assignee FROM cases WHERE assignee IS NOT NULL UNION SELECT resolved_by FROM cases WHERE resolved_by IS NOT NULL ORDER BY 1',
    ),
  };
}
