import {
  EXPORT_ROW_LIMIT,
  caseExportRequest,
  caseHistoryOptions,
  caseHistoryQuery,
  caseHistoryResponse,
  type CaseExportJson,
  type CaseHistoryFilter,
  type CaseHistoryItem,
} from '@touchpoint/protocol';
import { z } from 'zod';
import type { CaseHistoryRow } from '../../fleet/case-history.js';
import type { ApiDeps } from '../context.js';
import { exportFileName, isoTime, sendExport, type CsvColumns } from '../export.js';
import { route, type Route } from '../router.js';

const staffRef = (id: string | null, names: Map<string, string>) =>
  id ? { id, displayName: names.get(id) ?? id } : null;

function historyItem(c: CaseHistoryRow, names: Map<string, string>): CaseHistoryItem {
  return {
    id: c.id,
    deviceId: c.deviceId,
    model: c.model,
    openedAt: c.openedAt,
    receivedAt: c.receivedAt,
    reason: c.reason,
    flowId: c.flowId,
    status: c.status,
    assignee: staffRef(c.assignee, names),
    claimedAt: c.claimedAt,
    resolvedAt: c.resolvedAt,
    resolvedBy: staffRef(c.resolvedBy, names),
    errorCodes: c.errorCodes,
  };
}

/** The CSV columns, in the order of the JSON export's fields (docs/console.md lists them). */
const CASE_COLUMNS: CsvColumns<CaseHistoryItem> = [
  ['id', (c) => c.id],
  ['deviceId', (c) => c.deviceId],
  ['model', (c) => c.model],
  ['openedAt', (c) => isoTime(c.openedAt)],
  ['receivedAt', (c) => isoTime(c.receivedAt)],
  ['reason', (c) => c.reason],
  ['flowId', (c) => c.flowId],
  ['status', (c) => c.status],
  ['assignee', (c) => c.assignee?.displayName],
  ['claimedAt', (c) => isoTime(c.claimedAt)],
  ['resolvedAt', (c) => isoTime(c.resolvedAt)],
  ['resolvedBy', (c) => c.resolvedBy?.displayName],
  ['errorCodes', (c) => c.errorCodes.join(' ')],
];

/** The filter without the keys left empty, as the export file and the audit record state it. */
const definedOnly = (filter: CaseHistoryFilter) =>
  Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== '')) as CaseHistoryFilter;

export const caseHistoryRoutes: Route[] = [
  route({
    method: 'GET',
    path: '/api/case-history',
    role: 'viewer',
    action: 'case.history',
    query: caseHistoryQuery,
    response: caseHistoryResponse,
    handle: ({ query }, deps) => {
      const { limit, offset, ...filter } = query;
      const page = deps.fleet.cases.history(filter, limit, offset);
      const names = deps.fleet.staff.displayNames();
      return { items: page.items.map((c) => historyItem(c, names)), total: page.total, limit, offset };
    },
  }),
  route({
    method: 'GET',
    path: '/api/case-history/options',
    role: 'viewer',
    action: 'case.history',
    response: caseHistoryOptions,
    handle: (_input, deps) => {
      const { staffIds, ...rest } = deps.fleet.cases.historyOptions();
      const names = deps.fleet.staff.displayNames();
      return { ...rest, staff: staffIds.map((id) => staffRef(id, names)!) };
    },
  }),
  route({
    method: 'POST',
    path: '/api/case-history/export',
    role: 'viewer',
    action: 'case.export',
    body: caseExportRequest,
    // 10,000 ids of up to 64 characters, quoted, with commas.
    bodyLimit: 1024 * 1024,
    // The handler writes the file itself (CSV or JSON, as a download); caseExportJson is the JSON's shape.
    response: z.undefined(),
    stream: true,
    handle: async ({ body, auth, res }, deps: ApiDeps) => {
      const now = Date.now();
      let rows: CaseHistoryRow[];
      let truncated = false;
      let selection: CaseExportJson['selection'];
      if (body.ids) {
        rows = deps.fleet.cases.historyByIds(body.ids);
        selection = { ids: body.ids };
      } else {
        const filter = definedOnly(body.filter ?? {});
        const page = deps.fleet.cases.history(filter, EXPORT_ROW_LIMIT, 0);
        rows = page.items;
        truncated = page.total > rows.length;
        selection = { filter };
      }
      const names = deps.fleet.staff.displayNames();
      const items = rows.map((c) => historyItem(c, names));
      // A bulk read of case data leaves the machine: who, which selection and how many rows (issue 16).
      await deps.fleet.audit.record(
        {
          actor: auth.staff.id,
          actorRole: auth.staff.role,
          action: 'case.export',
          outcome: 'ok',
          detail: {
            format: body.format,
            ...('ids' in selection ? { selected: selection.ids.length } : { filter: selection.filter }),
            rows: items.length,
            truncated,
          },
        },
        now,
      );
      sendExport(res, {
        format: body.format,
        fileName: exportFileName('cases', body.format, now),
        rows: items,
        truncated,
        columns: CASE_COLUMNS,
        json: (): CaseExportJson => ({
          kind: 'cases',
          exportedAt: now,
          rows: items.length,
          truncated,
          selection,
          items,
        }),
      });
      return undefined;
    },
  }),
];
