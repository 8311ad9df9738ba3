/**
 * CSV as RFC 4180 writes it: CRLF line ends, a header line, fields with a
 * comma, a quote or a line break in double quotes, quotes doubled (§2.6, §2.7).
 *
 * Text cells that a spreadsheet would run as a formula (starting with = + - @,
 * or tab and carriage return, which some read the same way) get a leading
 * apostrophe, as OWASP's "CSV Injection" advises: a device id, a case reason or
 * a staff note ends up in Excel, and "=HYPERLINK(...)" there must stay text.
 * Numbers are written as numbers; a negative number is no formula.
 */
export type CsvCell = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',') + '\r\n').join('');
}
