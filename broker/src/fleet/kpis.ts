import type { KpiResponse } from '@touchpoint/protocol';
import { sql } from 'kysely';
import { jsonText, rawQuery } from '../db/dialect-sql.js';
import type { SqlExecutor } from '../db/sql-store.js';
import { median, outcomeRates, stepDropOff, type OutcomeCounts } from './kpi-formulas.js';

/**
 * Support KPIs for a period [from, to): computed from help sessions, device
 * events and cases. A session belongs to the period it started in; a case to
 * the period the customer asked for it in (its request time, issue 16). The
 * formulas are in kpi-formulas.ts and docs/console.md.
 */
export async function computeKpis(store: SqlExecutor, from: number, to: number): Promise<KpiResponse> {
  const { q, dialect } = store;
  // COUNT(*) FILTER: the same in both dialects (PostgreSQL cannot SUM a boolean).
  const counts = (await store.first(
    rawQuery(
      q,
      sql<{ total: number } & { [K in keyof OutcomeCounts]: number | null }>`SELECT COUNT(*) AS total,
      COUNT(*) FILTER (WHERE outcome = 'resolved' AND resolution = 'fix') AS "resolvedByFix",
      COUNT(*) FILTER (WHERE outcome = 'resolved' AND resolution = 'customer') AS "resolvedByCustomer",
      COUNT(*) FILTER (WHERE outcome = 'resolved' AND resolution IS NULL) AS "resolvedUnrecorded",
      COUNT(*) FILTER (WHERE outcome = 'resolved' AND resolution = 'nothing-wrong') AS "nothingWrong",
      COUNT(*) FILTER (WHERE outcome = 'escalated') AS escalated, COUNT(*) FILTER (WHERE outcome = 'abandoned') AS abandoned,
      COUNT(*) FILTER (WHERE outcome IS NULL) AS "inProgress"
      FROM help_sessions WHERE started_at >= ${from} AND started_at < ${to}`,
    ),
  ))!;
  const c: OutcomeCounts = {
    resolvedByFix: counts.resolvedByFix ?? 0,
    resolvedByCustomer: counts.resolvedByCustomer ?? 0,
    resolvedUnrecorded: counts.resolvedUnrecorded ?? 0,
    nothingWrong: counts.nothingWrong ?? 0,
    escalated: counts.escalated ?? 0,
    abandoned: counts.abandoned ?? 0,
    inProgress: counts.inProgress ?? 0,
  };
  const helpSessions = {
    total: counts.total,
    resolved: c.resolvedByFix + c.resolvedByCustomer + c.resolvedUnrecorded + c.nothingWrong,
    resolvedByFix: c.resolvedByFix,
    resolvedByCustomer: c.resolvedByCustomer,
    nothingWrong: c.nothingWrong,
    escalated: c.escalated,
    abandoned: c.abandoned,
    inProgress: c.inProgress,
  };

  const cesPerFlow = await store.all(
    q
      .selectFrom('help_sessions')
      .select((eb) => [
        'flow_id as flowId',
        eb.fn.avg<number>('ces').as('average'),
        eb.fn.count<number>('ces').as('count'),
      ])
      .where('started_at', '>=', from)
      .where('started_at', '<', to)
      .where('ces', 'is not', null)
      .groupBy('flow_id')
      .orderBy('flow_id'),
  );

  const resolutionTimes = (
    await store.all(
      q
        .selectFrom('cases')
        .select(sql<number>`resolved_at - opened_at`.as('ms'))
        .where('opened_at', '>=', from)
        .where('opened_at', '<', to)
        .where('resolved_at', 'is not', null)
        .where('status', 'in', ['resolved', 'closed']),
    )
  ).map((r) => r.ms);

  const code = jsonText(dialect, 'body', ['event', 'code']);
  const topErrorCodes = (await store.all(
    rawQuery(
      q,
      sql<KpiResponse['topErrorCodes'][number]>`SELECT ${code} AS code, COUNT(*) AS count FROM events
      WHERE type = 'error.raised' AND ts >= ${from} AND ts < ${to}
      GROUP BY ${code} ORDER BY count DESC, code LIMIT 10`,
    ),
  )) as KpiResponse['topErrorCodes'];

  // Reached: distinct sessions with a `step` entry for the step. Dropped: abandoned sessions whose last step it was
  // (an escalation is an outcome of its own, not a drop-off; issue 16).
  const stepId = jsonText(dialect, 'e.body', ['event', 'entry', 'stepId']);
  const reached = await store.all(
    rawQuery(
      q,
      sql<{ flowId: string; stepId: string; reached: number }>`SELECT h.flow_id AS "flowId", ${stepId} AS "stepId",
      COUNT(DISTINCT h.id) AS reached
      FROM help_sessions h JOIN events e ON e.session_id = h.id AND e.type = 'help'
      WHERE h.started_at >= ${from} AND h.started_at < ${to}
        AND ${jsonText(dialect, 'e.body', ['event', 'entry', 'kind'])} = 'step'
      GROUP BY h.flow_id, ${stepId}`,
    ),
  );
  const dropped = new Map(
    (
      await store.all(
        q
          .selectFrom('help_sessions')
          .select((eb) => [sql<string>`flow_id || '/' || current_step`.as('key'), eb.fn.countAll<number>().as('n')])
          .where('started_at', '>=', from)
          .where('started_at', '<', to)
          .where('current_step', 'is not', null)
          .where('outcome', '=', 'abandoned')
          .groupBy(['flow_id', 'current_step']),
      )
    ).map((r) => [r.key, r.n]),
  );
  const dropOff = reached
    .map((r) => {
      return {
        flowId: r.flowId,
        stepId: r.stepId,
        reached: r.reached,
        ...stepDropOff(r.reached, dropped.get(`${r.flowId}/${r.stepId}`) ?? 0),
      };
    })
    .sort((a, b) => a.flowId.localeCompare(b.flowId) || b.reached - a.reached || a.stepId.localeCompare(b.stepId));

  return {
    from,
    to,
    helpSessions,
    ...outcomeRates(c),
    cesPerFlow,
    casesResolved: resolutionTimes.length,
    medianTimeToResolutionMs: median(resolutionTimes),
    topErrorCodes,
    dropOff,
  };
}
