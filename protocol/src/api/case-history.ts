import { z } from 'zod';
import { safeId } from '../ids.js';
import { caseStatus } from '../messages/case.js';
import { auditEntryView } from './audit.js';
import { caseSummary, staffRef } from './cases.js';
import { optionalQueryInt, pageOf, pageQuery } from './common.js';

/**
 * The case history (issue 16, "Staff have the whole picture"): every case in
 * every status, filtered and searched on the server, and exported as CSV or
 * JSON together with the audit log.
 */

/** The most rows one export holds (cases and audit each); more matching rows set `truncated` (docs/console.md). */
export const EXPORT_ROW_LIMIT = 10_000;

export const exportFormat = z.enum(['csv', 'json']);
export type ExportFormat = z.infer<typeof exportFormat>;

/** Milliseconds since the epoch, from a query string or a JSON body. */
const epochMs = optionalQueryInt(0, 8_640_000_000_000_000);

const caseFilterShape = {
  /** Free text: case id, device id, reason, flow and the staff notes (substring, case-insensitive for ASCII). */
  search: z.string().trim().max(100).optional(),
  deviceId: safeId.optional(),
  model: z.string().max(48).optional(),
  /** An error code in the diagnostics snapshot taken at escalation. */
  errorCode: z.string().max(16).optional(),
  flowId: z.string().max(64).optional(),
  /** The staff member (id) who claimed or resolved the case. */
  staffId: z.string().max(64).optional(),
  status: caseStatus.optional(),
  /** The customer's request time (`openedAt`), inclusive bounds. */
  from: epochMs,
  to: epochMs,
};

const fromBeforeTo = (f: { from?: number | undefined; to?: number | undefined }) =>
  f.from === undefined || f.to === undefined || f.from <= f.to;
const fromBeforeToMessage = { message: '`from` must not be after `to`', path: ['from'] };

export const caseHistoryFilter = z.object(caseFilterShape).refine(fromBeforeTo, fromBeforeToMessage);
export type CaseHistoryFilter = z.infer<typeof caseHistoryFilter>;

/** GET /api/case-history: newest request first. */
export const caseHistoryQuery = z
  .object({ ...caseFilterShape, ...pageQuery })
  .refine(fromBeforeTo, fromBeforeToMessage);

export const caseHistoryItem = caseSummary.extend({
  /** The error codes in the diagnostics snapshot taken at escalation (empty without one). */
  errorCodes: z.array(z.string()),
  resolvedBy: staffRef.nullable(),
});
export type CaseHistoryItem = z.infer<typeof caseHistoryItem>;
export const caseHistoryResponse = pageOf(caseHistoryItem);
export type CaseHistoryResponse = z.infer<typeof caseHistoryResponse>;

/** GET /api/case-history/options: the values the filters can take (models, flows, error codes, staff seen in cases). */
export const caseHistoryOptions = z.object({
  models: z.array(z.string()),
  flows: z.array(z.string()),
  errorCodes: z.array(z.string()),
  staff: z.array(staffRef),
});
export type CaseHistoryOptions = z.infer<typeof caseHistoryOptions>;

/** POST /api/case-history/export: the selected cases (`ids`) or every case the filter matches, never both. */
export const caseExportRequest = z
  .object({
    format: exportFormat,
    ids: z.array(safeId).min(1).max(EXPORT_ROW_LIMIT).optional(),
    filter: caseHistoryFilter.optional(),
  })
  .refine((r) => !(r.ids && r.filter), { message: 'give either `ids` or `filter`, not both', path: ['ids'] });
export type CaseExportRequest = z.input<typeof caseExportRequest>;

/** POST /api/audit/export: the audit panel's filters. */
export const auditExportRequest = z.object({
  format: exportFormat,
  deviceId: safeId.optional(),
  action: z.string().max(64).optional(),
});
export type AuditExportRequest = z.input<typeof auditExportRequest>;

const exportMeta = {
  exportedAt: z.number().int(),
  /** Rows in this file. */
  rows: z.number().int().nonnegative(),
  /** More rows matched than EXPORT_ROW_LIMIT; the newest are in the file. */
  truncated: z.boolean(),
};

/** The JSON export of cases (the CSV has the same columns, in this order). */
export const caseExportJson = z.object({
  kind: z.literal('cases'),
  ...exportMeta,
  selection: z.union([z.object({ ids: z.array(safeId) }), z.object({ filter: z.object(caseFilterShape).partial() })]),
  items: z.array(caseHistoryItem),
});
export type CaseExportJson = z.infer<typeof caseExportJson>;

export const auditExportJson = z.object({
  kind: z.literal('audit'),
  ...exportMeta,
  filter: z.object({ deviceId: z.string().optional(), action: z.string().optional() }),
  items: z.array(auditEntryView),
});
export type AuditExportJson = z.infer<typeof auditExportJson>;
