import { sql } from 'kysely';
import { jsonText, rawQuery } from '../db/dialect-sql.js';
import type { SqlExecutor } from '../db/sql-store.js';
import type { ArmSample } from './kpi-compare.js';

/**
 * What one arm of a rollout did since `from` (the start of the current wave), counted from help sessions and
 * their trace the way kpis.ts counts the console's KPIs (the same outcome columns, so the same formulas apply):
 * - candidate: sessions on devices of the new version, started after the device installed it;
 * - control: sessions on the control devices.
 * Failed actions: trace entries of kind `action` in those sessions; `succeeded`/`failed` are the actions that
 * ran, `failed` and `not-verified` the ones that did not help.
 */
export async function armSample(
  store: SqlExecutor,
  rolloutId: string,
  arm: 'candidate' | 'control',
  from: number,
): Promise<ArmSample> {
  const { q, dialect } = store;
  const installed =
    arm === 'candidate' ? sql`AND r.installed_at IS NOT NULL AND h.started_at >= r.installed_at` : sql``;
  const sessions = sql`help_sessions h JOIN rollout_devices r ON r.device_id = h.device_id
    AND r.rollout_id = ${rolloutId} AND r.arm = ${arm} ${installed}`;
  const c = (await store.first(
    rawQuery(
      q,
      sql<Record<string, number | null>>`SELECT
      COUNT(*) FILTER (WHERE h.outcome = 'resolved' AND h.resolution = 'fix') AS "resolvedByFix",
      COUNT(*) FILTER (WHERE h.outcome = 'resolved' AND h.resolution = 'customer') AS "resolvedByCustomer",
      COUNT(*) FILTER (WHERE h.outcome = 'resolved' AND h.resolution IS NULL) AS "resolvedUnrecorded",
      COUNT(*) FILTER (WHERE h.outcome = 'resolved' AND h.resolution = 'nothing-wrong') AS "nothingWrong",
      COUNT(*) FILTER (WHERE h.outcome = 'escalated') AS escalated,
      COUNT(*) FILTER (WHERE h.outcome = 'abandoned') AS abandoned,
      COUNT(*) FILTER (WHERE h.outcome IS NULL) AS "inProgress",
      COUNT(h.ces) AS "cesCount", SUM(h.ces) AS "cesSum"
      FROM ${sessions} WHERE h.started_at >= ${from}`,
    ),
  ))!;
  const status = jsonText(dialect, 'e.body', ['event', 'entry', 'status']);
  const a = (await store.first(
    rawQuery(
      q,
      sql<{ attempted: number | null; failed: number | null }>`SELECT
      COUNT(*) FILTER (WHERE ${status} IN ('succeeded', 'failed')) AS attempted,
      COUNT(*) FILTER (WHERE ${status} IN ('failed', 'not-verified')) AS failed
      FROM ${sessions} JOIN events e ON e.session_id = h.id AND e.type = 'help'
      WHERE h.started_at >= ${from} AND ${jsonText(dialect, 'e.body', ['event', 'entry', 'kind'])} = 'action'`,
    ),
  ))!;
  const n = (key: string) => Number(c[key] ?? 0);
  return {
    outcomes: {
      resolvedByFix: n('resolvedByFix'),
      resolvedByCustomer: n('resolvedByCustomer'),
      resolvedUnrecorded: n('resolvedUnrecorded'),
      nothingWrong: n('nothingWrong'),
      escalated: n('escalated'),
      abandoned: n('abandoned'),
      inProgress: n('inProgress'),
    },
    ces: { sum: n('cesSum'), count: n('cesCount') },
    actions: { attempted: Number(a.attempted ?? 0), failed: Number(a.failed ?? 0) },
  };
}
