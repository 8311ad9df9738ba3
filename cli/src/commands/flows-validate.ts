import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { formatModelProblem, loadModel, type ModelProblem } from '@touchpoint/models';
import { parseCommandArgs } from '@touchpoint/runtime';
import { ExitCode, type CliCommand } from '@touchpoint/protocol';

const usage = `Usage: touchpoint flows validate DIR|FILE [--profile DIR] [--json]

Validates help flows and reports every problem at once, with file, JSON path and reason.
The profile's action preconditions are checked too (sensors, error codes, types).

DIR is either
  a model folder (profile.json and flows/*.json), e.g. examples/coffee-machine, or
  a folder of model folders, e.g. examples (every model in it is validated), or
  a folder of flow files, together with --profile.
FILE is one flow file (*.json), together with --profile, e.g.
  touchpoint flows validate examples/wallbox/flows/rcd-tripped.json --profile examples/wallbox

Options:
  --profile DIR   take profile.json from DIR instead of the model folder
  --json          print the result as JSON on stdout

Exit codes: 0 no problems, 1 problems found, 2 usage error (bad option, DIR or FILE missing,
FILE without --profile).`;

/** One model to validate: where its flows and its profile are. */
interface ModelTarget {
  flowsDir: string;
  profileFile: string;
  /** Only this flow file (`flows validate FILE --profile DIR`). */
  flowFile?: string;
}

export interface ModelReport {
  profileFile: string;
  flowsDir: string;
  model: string | null;
  flows: string[];
}

export interface FlowDirReport {
  models: ModelReport[];
  problems: ModelProblem[];
}

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();
const display = (p: string): string => relative(process.cwd(), p) || p;

/** Works out which models DIR holds; undefined when DIR holds none (a usage error). */
function targets(dir: string, profileDir: string | undefined): ModelTarget[] | undefined {
  const profileFile = (d: string): string => join(profileDir ?? d, 'profile.json');
  if (existsSync(join(dir, 'profile.json')) || isDir(join(dir, 'flows')))
    return [{ flowsDir: join(dir, 'flows'), profileFile: profileFile(dir) }];
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

/** One model through @touchpoint/models, the one model reader (issue 14); paths shown relative to the working dir. */
function validateModel(target: ModelTarget): { report: ModelReport; problems: ModelProblem[] } {
  const model = loadModel(target.flowsDir, {
    profileFile: target.profileFile,
    flowsDir: target.flowsDir,
    simulator: false,
    ...(target.flowFile !== undefined ? { flowFile: target.flowFile } : {}),
  });
  const report: ModelReport = {
    profileFile: display(target.profileFile),
    flowsDir: display(target.flowsDir),
    model: model.profile?.model ?? null,
    flows: model.flows.map((f) => f.id),
  };
  return { report, problems: model.problems.map((p) => ({ ...p, file: display(p.file) })) };
}

/**
 * Validates every flow under `dir` (see usage) against its profile. The files
 * are read by @touchpoint/models; the checks themselves are protocol's validateFlowSet.
 * Returns undefined when `dir` holds no model (a usage error).
 */
export async function validateFlowDir(
  dir: string,
  options: { profileDir?: string } = {},
): Promise<FlowDirReport | undefined> {
  const found = targets(resolve(dir), options.profileDir === undefined ? undefined : resolve(options.profileDir));
  return found && validateTargets(found);
}

/** One flow file against the profile in `profileDir` (issue 16: `flows validate FILE --profile DIR`). */
export async function validateFlowFile(file: string, profileDir: string): Promise<FlowDirReport> {
  const flowFile = resolve(file);
  return validateTargets([
    { flowsDir: dirname(flowFile), profileFile: join(resolve(profileDir), 'profile.json'), flowFile },
  ]);
}

function validateTargets(found: ModelTarget[]): FlowDirReport {
  const report: FlowDirReport = { models: [], problems: [] };
  for (const target of found) {
    const result = validateModel(target);
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
    const parsed = parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: { profile: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    const [dir, ...extra] = parsed.positionals;
    if (dir === undefined || extra.length > 0) {
      console.error(`touchpoint flows validate: expected exactly one DIR or FILE (BAD_PARAMS)\n\n${usage}`);
      return ExitCode.usage;
    }
    const isFile = existsSync(dir) && statSync(dir).isFile();
    if (!isFile && !isDir(dir)) {
      console.error(`touchpoint flows validate: ${dir} is not a folder or a flow file (NOT_FOUND)`);
      return ExitCode.usage;
    }
    if (isFile && (!dir.endsWith('.json') || parsed.values.profile === undefined)) {
      console.error(
        `touchpoint flows validate: a single flow file (*.json) needs --profile DIR, the model folder with its profile.json (BAD_PARAMS)\n\n${usage}`,
      );
      return ExitCode.usage;
    }
    if (parsed.values.profile !== undefined && !existsSync(join(parsed.values.profile, 'profile.json'))) {
      console.error(
        `touchpoint flows validate: ${join(parsed.values.profile, 'profile.json')} does not exist (NOT_FOUND)`,
      );
      return ExitCode.usage;
    }
    const report = isFile
      ? await validateFlowFile(dir, parsed.values.profile as string)
      : await validateFlowDir(dir, parsed.values.profile === undefined ? {} : { profileDir: parsed.values.profile });
    if (!report) {
      console.error(
        `touchpoint flows validate: ${dir} holds no profile.json, no flows/ folder and no model folders (NOT_FOUND)`,
      );
      return ExitCode.usage;
    }
    const flowCount = report.models.reduce((n, m) => n + m.flows.length, 0);
    if (parsed.values.json) {
      console.log(JSON.stringify({ ok: report.problems.length === 0, ...report }, null, 2));
    } else {
      for (const problem of report.problems) console.log(formatModelProblem(problem));
      for (const m of report.models)
        console.log(
          `${m.model ?? m.profileFile}: ${m.flows.length} valid flow${m.flows.length === 1 ? '' : 's'}${m.flows.length ? ` (${m.flows.join(', ')})` : ''}`,
        );
      const n = report.problems.length;
      console.log(n === 0 ? `ok: ${flowCount} flows, no problems` : `${n} problem${n === 1 ? '' : 's'} found`);
    }
    return report.problems.length === 0 ? ExitCode.ok : ExitCode.failure;
  },
};
