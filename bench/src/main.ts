import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderProfileSummary, summarizeProfile } from './profile-summary.js';
import { loadSuite, SUITES } from './registry.js';
import { renderRun, renderSuite, updateDocs, type RunMeta } from './report.js';
import { AEDES_VERSION, MOSQUITTO_VERSION, isSystemName, setProfileDir, setSystems } from './systems/systems.js';
import type { BenchContext, SuiteResult } from './types.js';

const USAGE = `Usage: touchpoint-bench [--quick] [--only suite1,suite2] [--rounds N] [--profile DIR] [--no-write]

Runs the Touchpoint benchmarks against baselines measured in the same run
(bare aedes and mosquitto on private loopback ports), in alternating rounds.

  --quick          smoke run (under two minutes; what CI runs)
  --only LIST      run only these suites (${SUITES.map((s) => s.key).join(', ')})
  --rounds N       rounds per measurement (default 3, at least 3)
  --systems LIST   measure only these systems (touchpoint, aedes, mosquitto)
  --profile DIR    run the Node brokers with --cpu-prof, writing profiles to DIR
  --no-write       print the tables only; write no result files
  --list           list the suites and whether they are present
  --summarize FILE print where a .cpuprofile spends its time (by area and function)
  --inclusive LIST with --summarize: inclusive time of these function names

A full run writes bench/results/<date>.md and updates docs/benchmarks.md;
a quick run writes bench/results/<date>-quick.md and leaves the docs alone.`;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function stamp(): string {
  return new Date().toISOString().slice(11, 19);
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

function localDate(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export async function main(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        rounds: { type: 'string', default: '3' },
        profile: { type: 'string' },
        systems: { type: 'string' },
        'no-write': { type: 'boolean', default: false },
        list: { type: 'boolean', default: false },
        summarize: { type: 'string' },
        inclusive: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    process.stderr.write(`touchpoint-bench: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (opts.summarize) {
    const names =
      opts.inclusive
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean) ?? [];
    process.stdout.write(`${renderProfileSummary(opts.summarize, summarizeProfile(opts.summarize, names))}\n`);
    return 0;
  }
  if (opts.list) {
    for (const entry of SUITES) {
      const loaded = await loadSuite(entry);
      process.stdout.write(
        `${entry.key.padEnd(12)} ${'suite' in loaded ? 'present' : 'missing' in loaded ? loaded.missing : loaded.error}\n`,
      );
    }
    return 0;
  }
  const rounds = Number(opts.rounds);
  if (!Number.isInteger(rounds) || rounds < 3) {
    process.stderr.write(
      `touchpoint-bench: --rounds must be an integer of at least 3 (median and min–max need three), got ${opts.rounds}\n`,
    );
    return 2;
  }
  const only = opts.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only?.filter((k) => !SUITES.some((s) => s.key === k)) ?? [];
  if (unknown.length) {
    process.stderr.write(
      `touchpoint-bench: unknown suite ${unknown.join(', ')}; known: ${SUITES.map((s) => s.key).join(', ')}\n`,
    );
    return 2;
  }
  if (opts.systems) {
    const names = opts.systems
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = names.filter((n) => !isSystemName(n));
    if (bad.length || names.length === 0) {
      process.stderr.write(
        `touchpoint-bench: unknown system ${bad.join(', ') || '(none)'}; known: touchpoint, aedes, mosquitto\n`,
      );
      return 2;
    }
    setSystems(names.filter(isSystemName));
  }
  if (opts.profile) {
    mkdirSync(opts.profile, { recursive: true });
    setProfileDir(opts.profile);
  }

  const started = Date.now();
  const loadAtStart = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const ctx: BenchContext = {
    quick: opts.quick,
    rounds,
    log: (message) => process.stderr.write(`[bench ${stamp()}] ${message}\n`),
  };
  ctx.log(
    `${opts.quick ? 'quick' : 'full'} run, ${rounds} rounds, ${cpus().length} cores, load ${loadAtStart}${MOSQUITTO_VERSION ? '' : ' — mosquitto is missing, its column is skipped'}`,
  );

  const results: SuiteResult[] = [];
  const problems: string[] = [];
  let failed = false;
  for (const entry of SUITES) {
    if (only && !only.includes(entry.key)) continue;
    const loaded = await loadSuite(entry);
    if ('missing' in loaded) {
      ctx.log(`skip ${entry.key}: ${loaded.missing}`);
      problems.push(loaded.missing);
      continue;
    }
    if ('error' in loaded) {
      ctx.log(`FAIL ${entry.key}: ${loaded.error}`);
      problems.push(`FAILED: ${loaded.error}`);
      failed = true;
      continue;
    }
    const t0 = Date.now();
    ctx.log(`suite ${entry.key} …`);
    try {
      const result = await loaded.suite.run(ctx);
      results.push(result);
      process.stdout.write(`\n${renderSuite(result)}\n\n`);
      ctx.log(`suite ${entry.key} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } catch (err) {
      failed = true;
      const message = `FAILED: suite ${entry.key}: ${(err as Error).stack ?? String(err)}`;
      ctx.log(message);
      problems.push(`FAILED: suite ${entry.key}: ${(err as Error).message}`);
    }
  }

  const dirty = git(['status', '--porcelain', '--untracked-files=no']) ? ' (working tree has uncommitted changes)' : '';
  const meta: RunMeta = {
    date: localDate(),
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    quick: opts.quick,
    rounds,
    durationS: (Date.now() - started) / 1000,
    machine: `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${release()}; shared with other work while it ran`,
    versions: `Node ${process.version}, aedes ${AEDES_VERSION}, mosquitto ${MOSQUITTO_VERSION ?? 'not installed'}`,
    load: `${loadAtStart} at start, ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at end (1/5/15 min)`,
    commit: `${git(['rev-parse', '--short', 'HEAD']) || 'unknown'}${dirty}`,
  };

  if (!opts['no-write']) {
    const sections = results.map(renderSuite);
    const suffix = opts.quick ? '-quick' : only ? `-${only.join('-')}` : '';
    const resultsPath = fileURLToPath(new URL(`../results/${meta.date}${suffix}.md`, import.meta.url));
    mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
    writeFileSync(resultsPath, renderRun(meta, sections, problems));
    ctx.log(`wrote ${resultsPath}`);
    if (!opts.quick && results.length) {
      const docsPath = `${ROOT}docs/benchmarks.md`;
      try {
        updateDocs(docsPath, meta, new Map(results.map((r, i) => [r.suite, sections[i]!])));
        ctx.log(`updated ${docsPath}`);
      } catch (err) {
        ctx.log(`could not update docs: ${(err as Error).message}`);
        failed = true;
      }
    }
  }
  ctx.log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s${failed ? ' — with failures' : ''}`);
  return failed ? 1 : 0;
}
