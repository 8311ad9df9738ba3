import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { pairedRatios, spread, type Spread } from './stats.js';
import type { BenchRow, SuiteResult } from './types.js';

/** Markdown rendering of results, and the update of docs/benchmarks.md between markers. */

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

function range(s: Spread, fmt: (v: number) => string = formatNumber): string {
  return s.n === 0 ? '–' : `${fmt(s.min)}–${fmt(s.max)}`;
}

const ratio = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '–');

export interface RowSummary {
  value: Spread;
  baseline?: Spread;
  ratio?: Spread;
}

export function summarizeRow(row: BenchRow): RowSummary {
  const value = spread(row.rounds);
  if (!row.baseline) return { value };
  return { value, baseline: spread(row.baseline.rounds), ratio: spread(pairedRatios(row.rounds, row.baseline.rounds)) };
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderTable(rows: readonly BenchRow[]): string {
  const withNotes = rows.some((r) => r.note);
  const head = [
    'Metric',
    'Unit',
    'System',
    'Median',
    'Min–max',
    'Baseline',
    'Baseline median',
    'Baseline min–max',
    'Ratio (median)',
    'Ratio min–max',
    'Goal',
    ...(withNotes ? ['Note'] : []),
  ];
  const lines = [
    `| ${head.join(' | ')} |`,
    `|${head.map((h, i) => (i >= 3 && i <= 9 && i !== 5 ? '---:' : '---')).join('|')}|`,
  ];
  for (const row of rows) {
    const s = summarizeRow(row);
    const cells = [
      row.metric,
      row.unit,
      row.system,
      formatNumber(s.value.median),
      range(s.value),
      row.baseline?.system ?? '–',
      s.baseline ? formatNumber(s.baseline.median) : '–',
      s.baseline ? range(s.baseline) : '–',
      s.ratio ? ratio(s.ratio.median) : '–',
      s.ratio ? range(s.ratio, ratio) : '–',
      row.goal ?? '',
      ...(withNotes ? [row.note ?? ''] : []),
    ];
    lines.push(`| ${cells.map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}

export function renderSuite(result: SuiteResult): string {
  const parts = [`### ${result.suite}`, '', `**Load shape.** ${result.loadShape}`, ''];
  parts.push(result.rows.length ? renderTable(result.rows) : '_No rows._');
  if (result.skipped?.length) {
    parts.push('', ...result.skipped.map((s) => `- ${s}`));
  }
  return parts.join('\n');
}

export interface RunMeta {
  date: string;
  command: string;
  quick: boolean;
  rounds: number;
  durationS: number;
  machine: string;
  versions: string;
  load: string;
  commit: string;
}

export function renderMeta(m: RunMeta): string {
  return [
    `Run ${m.date} (${m.quick ? 'quick smoke run' : 'full run'}), \`${m.command}\`, ${m.rounds} rounds, ${Math.round(m.durationS)} s, commit ${m.commit}.`,
    '',
    `- Machine: ${m.machine}`,
    `- Versions: ${m.versions}`,
    `- Load average: ${m.load}`,
  ].join('\n');
}

export function renderRun(meta: RunMeta, sections: string[], problems: string[]): string {
  return [
    `# Touchpoint benchmarks — ${meta.date}${meta.quick ? ' (quick)' : ''}`,
    '',
    renderMeta(meta),
    '',
    'Every row: the median and min–max over the rounds, the baseline measured in the same rounds, and the ratio paired within each round.',
    '',
    ...sections.flatMap((s) => [s, '']),
    ...(problems.length ? ['### Not run', '', ...problems.map((p) => `- ${p}`), ''] : []),
  ].join('\n');
}

const META_START = '<!-- bench:meta:start -->';
const META_END = '<!-- bench:meta:end -->';
const SUITES_END = '<!-- bench:suites:end -->';
const suiteStart = (name: string) => `<!-- bench:suite:${name}:start -->`;
const suiteEnd = (name: string) => `<!-- bench:suite:${name}:end -->`;

function replaceBetween(text: string, start: string, end: string, body: string): string | undefined {
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) return undefined;
  return `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`;
}

/**
 * Writes the latest numbers into docs/benchmarks.md: the run's metadata and
 * one section per suite that ran, each between its markers. Hand-written text
 * outside the markers (method, analysis) is kept.
 */
export function updateDocs(path: string, meta: RunMeta, suites: Map<string, string>): void {
  if (!existsSync(path))
    throw new Error(`${path} does not exist; it holds the hand-written analysis around the generated tables`);
  let text = readFileSync(path, 'utf8');
  text = replaceBetween(text, META_START, META_END, renderMeta(meta)) ?? text;
  for (const [name, body] of suites) {
    const replaced = replaceBetween(text, suiteStart(name), suiteEnd(name), body);
    if (replaced) {
      text = replaced;
      continue;
    }
    const at = text.indexOf(SUITES_END);
    if (at < 0) throw new Error(`${path} has no ${SUITES_END} marker`);
    text = `${text.slice(0, at)}${suiteStart(name)}\n${body}\n${suiteEnd(name)}\n\n${text.slice(at)}`;
  }
  writeFileSync(path, text);
}
