import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FlowProblemCode, deviceProfile, describeIssues, validateFlowSet, type DeviceProfile, type FlowFile, type FlowProblem, type HelpFlow } from '@touchpoint/protocol';

export interface LoadedFlows {
  /** The folder that holds the flow files; image paths in flows are relative to it. */
  flowsDir: string;
  profile: DeviceProfile | undefined;
  /** Only the flows without problems, sorted by id. */
  flows: HelpFlow[];
  /** Every problem found, in file order. A flow with problems is left out, never half-loaded. */
  problems: FlowProblem[];
}

async function readJson(file: string): Promise<{ ok: true; json: unknown } | { ok: false; problem: FlowProblem }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { ok: false, problem: { file, path: '', code: FlowProblemCode.BAD_JSON, message: `cannot read: ${(err as Error).message}` } };
  }
  try {
    return { ok: true, json: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, problem: { file, path: '', code: FlowProblemCode.BAD_JSON, message: `not JSON: ${(err as Error).message}` } };
  }
}

/** Reads and validates `<modelDir>/profile.json`; problems are reported against that file. */
export async function loadProfile(modelDir: string): Promise<{ profile?: DeviceProfile; problems: FlowProblem[] }> {
  const file = join(modelDir, 'profile.json');
  const read = await readJson(file);
  if (!read.ok) return { problems: [{ ...read.problem, code: FlowProblemCode.PROFILE_INVALID }] };
  const parsed = deviceProfile.safeParse(read.json);
  if (!parsed.success) return { problems: [{ file, path: '', code: FlowProblemCode.PROFILE_INVALID, message: describeIssues(parsed.error) }] };
  return { profile: parsed.data, problems: [] };
}

/**
 * Loads the help flows of one model: `<modelDir>/flows/*.json`, validated
 * against `<modelDir>/profile.json` (or the profile passed in). Images are
 * checked to exist next to the flows. A missing flows folder means no flows.
 */
export async function loadFlows(modelDir: string, options: { profile?: DeviceProfile } = {}): Promise<LoadedFlows> {
  const flowsDir = resolve(modelDir, 'flows');
  const problems: FlowProblem[] = [];
  let profile = options.profile;
  if (!profile) {
    const loaded = await loadProfile(modelDir);
    problems.push(...loaded.problems);
    profile = loaded.profile;
  }
  let names: string[] = [];
  try {
    names = (await readdir(flowsDir)).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const files: FlowFile[] = [];
  for (const name of names) {
    const file = join(flowsDir, name);
    const read = await readJson(file);
    if (read.ok) files.push({ file, json: read.json });
    else problems.push(read.problem);
  }
  const set = validateFlowSet(files, { profile, imageExists: (rel) => existsSync(join(flowsDir, rel)) });
  problems.push(...set.problems);
  // Without a valid profile nothing was checked against the device, so nothing is safe to run.
  const flows = profile ? set.flows.map((f) => f.flow).sort((a, b) => a.id.localeCompare(b.id)) : [];
  return { flowsDir, profile, flows, problems };
}
