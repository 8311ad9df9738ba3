import {
  EXPORT_ROW_LIMIT,
  auditExportRequest,
  auditQuery,
  auditResponse,
  type AuditEntryView,
  type AuditExportJson,
} from '@touchpoint/protocol';
import { z } from 'zod';
import type { AuditRow } from '../../fleet/audit.js';
import type { ApiDeps } from '../context.js';
import { exportFileName, isoTime, sendExport, type CsvColumns } from '../export.js';
import { route, type Route } from '../router.js';

function entryView(r: AuditRow, names: Map<string, string>): AuditEntryView {
  return {
    id: r.id,
    at: r.at,
    actor: r.actor,
    actorName: names.get(r.actor) ?? null,
    actorRole: r.actorRole ?? null,
    action: r.action,
    deviceId: r.deviceId ?? null,
    target: r.target ?? null,
    outcome: r.outcome,
    detail: r.detail,
  };
}

/** The audit CSV's columns; `detail` is the JSON the panel shows (docs/console.md). */
const AUDIT_COLUMNS: CsvColumns<AuditEntryView> = [
  ['id', (r) => r.id],
  ['at', (r) => isoTime(r.at)],
  ['actor', (r) => r.actor],
  ['actorName', (r) => r.actorName],
  ['actorRole', (r) => r.actorRole],
  ['action', (r) => r.action],
  ['deviceId', (r) => r.deviceId],
  ['target', (r) => r.target],
  ['outcome', (r) => r.outcome],
  ['detail', (r) => (r.detail ? JSON.stringify(r.detail) : '')],
];

/** Up to `max` rows of the filter, newest first, read in pages of the list's largest size. */
async function auditRows(
  deps: ApiDeps,
  filter: { deviceId?: string; action?: string },
  max: number,
): Promise<AuditRow[]> {
  const rows: AuditRow[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await deps.fleet.audit.list({ ...filter, before, limit: Math.min(1000, max - rows.length) });
    rows.push(...page);
    if (page.length === 0 || rows.length >= max) return rows;
    before = page.at(-1)!.id;
  }
}

export const auditRoutes: Route[] = [
  route({
    method: 'GET',
    path: '/api/audit',
    role: 'viewer',
    action: 'audit.list',
    query: auditQuery,
    response: auditResponse,
    handle: async ({ query }, deps) => {
      const rows = await deps.fleet.audit.list({
        deviceId: query.deviceId,
        action: query.action,
        before: query.before ? Number(query.before) : undefined,
        limit: query.limit + 1,
      });
      const names = deps.fleet.staff.displayNames();
      const items = rows.slice(0, query.limit).map((r) => entryView(r, names));
      const last = items.at(-1);
      return { items, nextCursor: rows.length > query.limit && last ? String(last.id) : null };
    },
  }),
  route({
    method: 'POST',
    path: '/api/audit/export',
    role: 'viewer',
    action: 'audit.export',
    body: auditExportRequest,
    // The handler writes the file itself (CSV or JSON, as a download); auditExportJson is the JSON's shape.
    response: z.undefined(),
    stream: true,
    handle: async ({ body, auth, res }, deps) => {
      const now = Date.now();
      const filter = {
        ...(body.deviceId ? { deviceId: body.deviceId } : {}),
        ...(body.action ? { action: body.action } : {}),
      };
      // One row past the limit tells a full file from a cut one.
      const rows = await auditRows(deps, filter, EXPORT_ROW_LIMIT + 1);
      const truncated = rows.length > EXPORT_ROW_LIMIT;
      const names = deps.fleet.staff.displayNames();
      const items = rows.slice(0, EXPORT_ROW_LIMIT).map((r) => entryView(r, names));
      // Recorded after the read, so the file does not hold its own export (issue 16: every export is audited).
      await deps.fleet.audit.record(
        {
          actor: auth.staff.id,
          actorRole: auth.staff.role,
          action: 'audit.export',
          outcome: 'ok',
          detail: { format: body.format, filter, rows: items.length, truncated },
        },
        now,
      );
      sendExport(res, {
        format: body.format,
        fileName: exportFileName('audit', body.format, now),
        rows: items,
        truncated,
        columns: AUDIT_COLUMNS,
        json: (): AuditExportJson => ({ kind: 'audit', exportedAt: now, rows: items.length, truncated, filter, items }),
      });
      return undefined;
    },
  }),
];
