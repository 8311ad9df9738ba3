import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseCommandArgs } from '@touchpoint/protocol/cli-args';
import {
  ExitCode,
  FlowProblemCode,
  describeIssues,
  deviceProfile,
  formatFlowProblem,
  validateFlowSet,
  type CliCommand,
  type DeviceProfile,
  type FlowFile,
  type FlowProblem,
} from '@touchpoint/protocol';

const usage = `Usage: touchpoint flows validate DIR [--profile DIR] [--json]

Validates help flows and reports every problem at once, with file, JSON path and reason.

DIR is either
  a model folder (profile.json and flows/*.json), e.g. examples/coffee-machine, or
  a folder of model folders, e.g. examples (every model in it is validated), or
  a folder of flow files, together with --profile.

Options:
  --profile DIR   take profile.json from DIR instead of the model folder
  --json          print the result as JSON on stdout

Exit codes: 0 no problems, 1 problems found, 2 usage error (bad option, DIR missing).`;

/** One model to validate: where its flows and its profile are. */
interface ModelTarget {
  flowsDir: string;
  profileFile: string;
}

export interface ModelReport {
  profileFile: string;
  flowsDir: string;
  model: string | null;
  flows: string[];
}

export interface FlowDirReport {
  models: ModelReport[];
  problems: FlowProblem[];
}

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();
const display = (p: string): string => relative(process.cwd(), p) || p;

async function readJson(file: string): Promise<{ ok: true; json: unknown } | { ok: false; message: string }> {
  try {
    return { ok: true, json: JSON.parse(await readFile(file, 'utf8')) as unknown };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

/** Works out which models DIR holds; undefined when DIR holds none (a usage error). */
function targets(dir: string, profileDir: string | undefined): ModelTarget[] | undefined {
  const profileFile = (d: string): string => join(profileDir ?? d, 'profile.json');
  if (existsSync(join(dir, 'profile.json')) || isDir(join(dir, 'flows'))) return [{ flowsDir: join(dir, 'flows'), profileFile: profileFile(dir) }];
  if (profileDir !== undefined) return [{ flowsDir: dir, profileFile: profileFile(dir) }];
  const models = readdirSyncSafe(dir)
    .filter((name) => existsSync(join(dir, name, 'profile.json')))
    .sort()
    .map((name) => ({ flowsDir: join(dir, name, 'flows'), profileFile: join(dir, name, 'profile.json') }));
  return models.length > 0 ? models : undefined;
}

function readdirSyncSafe(dir: string): string[] {
  return isDir(dir) ? readdirSync(dir) : [];
}

async function validateModel(target: ModelTarget): Promise<{ report: ModelReport; problems: FlowProblem[] }> {
  const problems: FlowProblem[] = [];
  const report: ModelReport = { profileFile: display(target.profileFile), flowsDir: display(target.flowsDir), model: null, flows: [] };
  let profile: DeviceProfile | undefined;
  const read = await readJson(target.profileFile);
  if (!read.ok) {
    problems.push({ file: display(target.profileFile), path: '', code: FlowProblemCode.PROFILE_INVALID, message: `cannot read profile: ${read.message}` });
  } else {
    const parsed = deviceProfile.safeParse(read.json);
    if (parsed.success) profile = parsed.data;
    else problems.push({ file: display(target.profileFile), path: '', code: FlowProblemCode.PROFILE_INVALID, message: describeIssues(parsed.error) });
  }
  report.model = profile?.model ?? null;

  let names: string[] = [];
  if (isDir(target.flowsDir)) names = (await readdir(target.flowsDir)).filter((n) => n.endsWith('.json')).sort();
  const files: FlowFile[] = [];
  for (const name of names) {
    const file = display(join(target.flowsDir, name));
    const json = await readJson(join(target.flowsDir, name));
    if (json.ok) files.push({ file, json: json.json });
    else problems.push({ file, path: '', code: FlowProblemCode.BAD_JSON, message: `not JSON: ${json.message}` });
  }
  const set = validateFlowSet(files, { profile, imageExists: (rel) => existsSync(join(target.flowsDir, rel)) });
  problems.push(...set.problems);
  report.flows = set.flows.map((f) => f.flow.id);
  return { report, problems };
}

/**
 * Validates every flow under `dir` (see usage) against its profile. I/O lives
 * here; the checks themselves are protocol's validateFlowSet.
 * Returns undefined when `dir` holds no model (a usage error).
 */
export async function validateFlowDir(dir: string, options: { profileDir?: string } = {}): Promise<FlowDirReport | undefined> {
  const found = targets(resolve(dir), options.profileDir === undefined ? undefined : resolve(options.profileDir));
  if (!found) return undefined;
  const report: FlowDirReport = { models: [], problems: [] };
  for (const target of found) {
    const result = await validateModel(target);
    report.models.push(result.report);
    report.problems.push(...result.problems);
  }
  return report;
}

export const flowsValidate: CliCommand = {
  path: ['flows', 'validate'],
  summary: 'Validate help flows against their device profile',
  usage,
  async run(argv) {
    const parsed = parseCommandArgs({ args: argv, allowPositionals: true, options: { profile: { type: 'string' }, json: { type: 'boolean', default: false } } });
    const [dir, ...extra] = parsed.positionals;
    if (dir === undefined || extra.length > 0) {
      console.error(`touchpoint flows validate: expected exactly one DIR (BAD_PARAMS)\n\n${usage}`);
      return ExitCode.usage;
    }
    if (!isDir(dir)) {
      console.error(`touchpoint flows validate: ${dir} is not a folder (NOT_FOUND)`);
      return ExitCode.usage;
    }
    if (parsed.values.profile !== undefined && !existsSync(join(parsed.values.profile, 'profile.json'))) {
      console.error(`touchpoint flows validate: ${join(parsed.values.profile, 'profile.json')} does not exist (NOT_FOUND)`);
      return ExitCode.usage;
    }
    const report = await validateFlowDir(dir, parsed.values.profile === undefined ? {} : { profileDir: parsed.values.profile });
    if (!report) {
      console.error(`touchpoint flows validate: ${dir} holds no profile.json, no flows/ folder and no model folders (NOT_FOUND)`);
      return ExitCode.usage;
    }
    const flowCount = report.models.reduce((n, m) => n + m.flows.length, 0);
    if (parsed.values.json) {
      console.log(JSON.stringify({ ok: report.problems.length === 0, ...report }, null, 2));
    } else {
      for (const problem of report.problems) console.log(formatFlowProblem(problem));
      for (const m of report.models) console.log(`${m.model ?? m.profileFile}: ${m.flows.length} valid flow${m.flows.length === 1 ? '' : 's'}${m.flows.length ? ` (${m.flows.join(', ')})` : ''}`);
      const n = report.problems.length;
      console.log(n === 0 ? `ok: ${flowCount} flows, no problems` : `${n} problem${n === 1 ? '' : 's'} found`);
    }
    return report.problems.length === 0 ? ExitCode.ok : ExitCode.failure;
  },
};
