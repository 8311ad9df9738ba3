import type { ServerResponse } from 'node:http';
import type { ExportFormat } from '@touchpoint/protocol';
import { toCsv, type CsvCell } from './csv.js';

/** The columns of a CSV export: a header and how to read each cell from a row. */
export type CsvColumns<T> = readonly (readonly [header: string, cell: (row: T) => CsvCell])[];

/** A file name that says what and when: `touchpoint-cases-2026-12-03T13-45-00Z.csv` (no characters to escape). */
export function exportFileName(kind: string, format: ExportFormat, now: number): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
  return `touchpoint-${kind}-${stamp}.${format}`;
}

/** ISO 8601 in UTC for CSV cells; spreadsheets and people read it, epoch milliseconds neither. */
export const isoTime = (ms: number | null | undefined): string => (ms == null ? '' : new Date(ms).toISOString());

/**
 * Sends an export as a download (Content-Disposition: attachment). `X-Export-Rows` and
 * `X-Export-Truncated` tell the console what the file holds without reading it.
 */
export function sendExport<T>(
  res: ServerResponse,
  opts: {
    format: ExportFormat;
    fileName: string;
    rows: readonly T[];
    truncated: boolean;
    columns: CsvColumns<T>;
    json: () => unknown;
  },
): void {
  const body =
    opts.format === 'csv'
      ? toCsv(
          opts.columns.map(([h]) => h),
          opts.rows.map((row) => opts.columns.map(([, cell]) => cell(row))),
        )
      : JSON.stringify(opts.json());
  res.writeHead(200, {
    'content-type':
      opts.format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/json; charset=utf-8',
    'content-disposition': `attachment; filename="${opts.fileName}"`,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-export-rows': String(opts.rows.length),
    'x-export-truncated': String(opts.truncated),
  });
  res.end(body);
}
