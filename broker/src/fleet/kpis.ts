import type { KpiResponse } from '@touchpoint/protocol';
import type { Db } from '../db/database.js';

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/**
 * Support KPIs for a period [from, to): computed from help sessions, device
 * events and cases. A session belongs to the period it started in; a case to
 * the period it was opened in.
 */
export function computeKpis(db: Db, from: number, to: number): KpiResponse {
  const sessions = db
    .prepare(
      `SELECT COUNT(*) AS total,
      SUM(outcome = 'resolved') AS resolved, SUM(outcome = 'escalated') AS escalated,
      SUM(outcome = 'abandoned') AS abandoned, SUM(outcome IS NULL) AS inProgress
      FROM help_sessions WHERE started_at >= ? AND started_at < ?`,
    )
    .get(from, to) as {
    total: number;
    resolved: number | null;
    escalated: number | null;
    abandoned: number | null;
    inProgress: number | null;
  };
  const helpSessions = {
    total: sessions.total,
    resolved: sessions.resolved ?? 0,
    escalated: sessions.escalated ?? 0,
    abandoned: sessions.abandoned ?? 0,
    inProgress: sessions.inProgress ?? 0,
  };

  const cesPerFlow = db
    .prepare(
      'SELECT flow_id AS flowId, AVG(ces) AS average, COUNT(ces) AS count FROM help_sessions WHERE started_at >= ? AND started_at < ? AND ces IS NOT NULL GROUP BY flow_id ORDER BY flow_id',
    )
    .all(from, to) as KpiResponse['cesPerFlow'];

  const resolutionTimes = db
    .prepare(
      "SELECT resolved_at - opened_at FROM cases WHERE opened_at >= ? AND opened_at < ? AND resolved_at IS NOT NULL AND status IN ('resolved', 'closed')",
    )
    .pluck()
    .all(from, to) as number[];

  const topErrorCodes = db
    .prepare(
      "SELECT json_extract(body, '$.event.code') AS code, COUNT(*) AS count FROM events WHERE type = 'error.raised' AND ts >= ? AND ts < ? GROUP BY code ORDER BY count DESC, code LIMIT 10",
    )
    .all(from, to) as KpiResponse['topErrorCodes'];

  // Reached: distinct sessions with a `step` entry for the step. Dropped: sessions whose last step it was and that did not end resolved.
  const reached = db
    .prepare(
      `SELECT h.flow_id AS flowId, json_extract(e.body, '$.event.entry.stepId') AS stepId, COUNT(DISTINCT h.id) AS reached
      FROM help_sessions h JOIN events e ON e.session_id = h.id AND e.type = 'help'
      WHERE h.started_at >= ? AND h.started_at < ? AND json_extract(e.body, '$.event.entry.kind') = 'step'
      GROUP BY flowId, stepId`,
    )
    .all(from, to) as { flowId: string; stepId: string; reached: number }[];
  const dropped = new Map(
    (
      db
        .prepare(
          `SELECT flow_id || '/' || current_step AS key, COUNT(*) AS n FROM help_sessions
        WHERE started_at >= ? AND started_at < ? AND current_step IS NOT NULL AND (outcome IS NULL OR outcome IN ('abandoned', 'escalated'))
        GROUP BY key`,
        )
        .all(from, to) as { key: string; n: number }[]
    ).map((r) => [r.key, r.n]),
  );
  const dropOff = reached
    .map((r) => {
      const d = Math.min(dropped.get(`${r.flowId}/${r.stepId}`) ?? 0, r.reached);
      return {
        flowId: r.flowId,
        stepId: r.stepId,
        reached: r.reached,
        dropped: d,
        rate: r.reached ? d / r.reached : 0,
      };
    })
    .sort((a, b) => a.flowId.localeCompare(b.flowId) || b.reached - a.reached || a.stepId.localeCompare(b.stepId));

  return {
    from,
    to,
    helpSessions,
    firstTouchResolution: ratio(helpSessions.resolved, helpSessions.total),
    escalationRate: ratio(helpSessions.escalated, helpSessions.total),
    cesPerFlow,
    casesResolved: resolutionTimes.length,
    medianTimeToResolutionMs: median(resolutionTimes),
    topErrorCodes,
    dropOff,
  };
}
