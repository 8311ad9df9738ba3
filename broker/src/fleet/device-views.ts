import type {
  DiagnosticsMessage,
  DiagnosticsPoint,
  HelpSessionView,
  HelpTraceEntry,
  TimelineItem,
  TimelineKind,
} from '@touchpoint/protocol';
import { diagnosticsMessage, helpTraceEntry } from '@touchpoint/protocol';
import type { Db } from '../db/database.js';

interface RawSession {
  id: string;
  device_id: string;
  flow_id: string;
  started_at: number;
  updated_at: number;
  current_step: string | null;
  outcome: string | null;
  ces: number | null;
  helped: number | null;
  ms_total: number | null;
}

function toSession(r: RawSession): HelpSessionView {
  const outcome = r.outcome === 'resolved' || r.outcome === 'escalated' || r.outcome === 'abandoned' ? r.outcome : null;
  return {
    id: r.id,
    deviceId: r.device_id,
    flowId: r.flow_id,
    startedAt: r.started_at,
    updatedAt: r.updated_at,
    currentStep: r.current_step,
    outcome,
    ces: r.ces,
    helped: r.helped === null ? null : r.helped === 1,
    msTotal: r.ms_total,
  };
}

interface RawTimeline {
  at: number;
  kind: TimelineKind;
  ref: string;
  a: string | null;
  b: string | null;
  c: string | number | null;
}

/** Timeline rows from every history table, as one keyset-paged stream (newest first, ties broken by kind:ref). */
const TIMELINE_SQL = /* sql */ `
SELECT at, kind, ref, a, b, c FROM (
  SELECT at, 'presence' AS kind, CAST(id AS TEXT) AS ref, state AS a, connection_id AS b, NULL AS c FROM presence_history WHERE device_id = @d
  UNION ALL SELECT started_at, 'help', id, flow_id, outcome, ces FROM help_sessions WHERE device_id = @d
  UNION ALL SELECT opened_at, 'case', id, reason, status, flow_id FROM cases WHERE device_id = @d
  UNION ALL SELECT issued_at, 'command', id, action, status, issued_by FROM commands WHERE device_id = @d
  UNION ALL SELECT ts, 'diagnostics', msg_id, reason, NULL, NULL FROM diagnostics WHERE device_id = @d AND reason != 'periodic'
  UNION ALL SELECT ts, CASE type WHEN 'link' THEN 'link' ELSE 'error' END, msg_id, type, json_extract(body, '$.event.code'), json_extract(body, '$.event.link')
    FROM events WHERE device_id = @d AND type IN ('error.raised', 'error.cleared', 'link')
)
WHERE @beforeAt IS NULL OR at < @beforeAt OR (at = @beforeAt AND (kind || ':' || ref) < @beforeKey)
ORDER BY at DESC, (kind || ':' || ref) DESC
LIMIT @limit`;

function describe(r: RawTimeline): { title: string; detail: string | null } {
  switch (r.kind) {
    case 'presence':
      return { title: r.a === 'online' ? 'Came online' : 'Went offline', detail: r.b ? `connection ${r.b}` : null };
    case 'help':
      return {
        title: `Help session: ${r.a ?? 'unknown flow'}`,
        detail: [r.b ?? 'in progress', r.c !== null ? `CES ${r.c}` : null].filter(Boolean).join(', '),
      };
    case 'case':
      return {
        title: `Case opened: ${r.a ?? ''}`,
        detail: `status ${r.b ?? 'open'}${r.c ? `, from flow ${r.c}` : ''}`,
      };
    case 'command':
      return { title: `Command ${r.a ?? ''}`, detail: `${r.b ?? ''}${r.c ? `, issued by ${r.c}` : ''}` };
    case 'diagnostics':
      return { title: `Diagnostics snapshot (${r.a ?? ''})`, detail: null };
    case 'error':
      return { title: `Error ${r.b ?? '?'} ${r.a === 'error.raised' ? 'raised' : 'cleared'}`, detail: null };
    case 'link':
      return { title: `Serial link ${r.c ?? '?'}`, detail: null };
  }
}

export function encodeTimelineCursor(item: Pick<TimelineItem, 'at' | 'key'>): string {
  return `${item.at}~${item.key}`;
}

export function decodeTimelineCursor(cursor: string): { at: number; key: string } | undefined {
  const sep = cursor.indexOf('~');
  const at = Number(cursor.slice(0, sep));
  return sep > 0 && Number.isSafeInteger(at) ? { at, key: cursor.slice(sep + 1) } : undefined;
}

/** Read models for the console's device view: charts, the help-session mirror, the history timeline and open-case markers. */
export class DeviceViews {
  constructor(private readonly db: Db) {}

  /** Open or claimed cases per device, for one page of the fleet view. */
  openCaseCounts(deviceIds: readonly string[]): Map<string, number> {
    if (deviceIds.length === 0) return new Map();
    const rows = this.db
      .prepare(
        `SELECT device_id, COUNT(*) AS n FROM cases WHERE status IN ('open', 'claimed') AND device_id IN (SELECT value FROM json_each(?)) GROUP BY device_id`,
      )
      .all(JSON.stringify(deviceIds)) as { device_id: string; n: number }[];
    return new Map(rows.map((r) => [r.device_id, r.n]));
  }

  latestDiagnostics(deviceId: string): DiagnosticsMessage | null {
    const body = this.db
      .prepare('SELECT body FROM diagnostics WHERE device_id = ? ORDER BY ts DESC LIMIT 1')
      .pluck()
      .get(deviceId) as string | undefined;
    if (!body) return null;
    const parsed = diagnosticsMessage.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : null;
  }

  /** Diagnostics in a time window, oldest first (the newest `limit` of them). */
  diagnosticsHistory(
    deviceId: string,
    q: { from?: number | undefined; to?: number | undefined; limit: number },
  ): DiagnosticsPoint[] {
    const rows = this.db
      .prepare('SELECT body FROM diagnostics WHERE device_id = ? AND ts >= ? AND ts <= ? ORDER BY ts DESC LIMIT ?')
      .pluck()
      .all(deviceId, q.from ?? 0, q.to ?? Number.MAX_SAFE_INTEGER, q.limit) as string[];
    const points: DiagnosticsPoint[] = [];
    for (const body of rows.reverse()) {
      const parsed = diagnosticsMessage.safeParse(JSON.parse(body));
      if (!parsed.success) continue;
      const d = parsed.data;
      points.push({
        id: d.id,
        ts: d.ts,
        reason: d.reason,
        sensors: d.mcu.sensors,
        errors: d.mcu.errors,
        agent: d.agent,
      });
    }
    return points;
  }

  helpSessions(deviceId: string, limit = 10): HelpSessionView[] {
    return (
      this.db
        .prepare('SELECT * FROM help_sessions WHERE device_id = ? ORDER BY updated_at DESC LIMIT ?')
        .all(deviceId, limit) as RawSession[]
    ).map(toSession);
  }

  helpSession(deviceId: string, sessionId: string): HelpSessionView | undefined {
    const r = this.db.prepare('SELECT * FROM help_sessions WHERE id = ? AND device_id = ?').get(sessionId, deviceId) as
      RawSession | undefined;
    return r ? toSession(r) : undefined;
  }

  /** A session's trace in the order the customer produced it. */
  helpTrace(deviceId: string, sessionId: string): HelpTraceEntry[] {
    const rows = this.db
      .prepare(
        "SELECT body FROM events WHERE device_id = ? AND session_id = ? AND type = 'help' ORDER BY json_extract(body, '$.event.entry.at'), ts, rowid",
      )
      .pluck()
      .all(deviceId, sessionId) as string[];
    const trace: HelpTraceEntry[] = [];
    for (const body of rows) {
      const parsed = helpTraceEntry.safeParse((JSON.parse(body) as { event?: { entry?: unknown } }).event?.entry);
      if (parsed.success) trace.push(parsed.data);
    }
    return trace;
  }

  timeline(
    deviceId: string,
    q: { before?: string | undefined; limit: number },
  ): { items: TimelineItem[]; nextCursor: string | null } {
    const cursor = q.before ? decodeTimelineCursor(q.before) : undefined;
    const rows = this.db.prepare(TIMELINE_SQL).all({
      d: deviceId,
      beforeAt: cursor?.at ?? null,
      beforeKey: cursor?.key ?? '',
      limit: q.limit + 1,
    }) as RawTimeline[];
    const items = rows
      .slice(0, q.limit)
      .map((r): TimelineItem => ({ key: `${r.kind}:${r.ref}`, at: r.at, kind: r.kind, ref: r.ref, ...describe(r) }));
    const last = items.at(-1);
    return { items, nextCursor: rows.length > q.limit && last ? encodeTimelineCursor(last) : null };
  }
}
