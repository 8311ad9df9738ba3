import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  describeIssues,
  deviceProfile,
  validateFlowSet,
  validateProfile,
  type DeviceProfile,
  type FlowFile,
  type HelpFlow,
} from '@touchpoint/protocol';
import { ModelProblemCode, type ModelProblem } from './problems.js';
import { readJson } from './read-json.js';

/** The simulator's config as read from mcu-sim.json; its schema belongs to the simulator (firmware-bridge/sim/config.ts). */
export interface SimulatorFile {
  file: string;
  json: unknown;
}

/** One model folder, read: everything a reader needs, and everything wrong with it. */
export interface LoadedModel {
  /** The model folder, absolute. */
  dir: string;
  profileFile: string;
  /** Undefined when profile.json is missing or invalid (then `problems` says why). */
  profile: DeviceProfile | undefined;
  /** The folder of the flow files; flow image paths are relative to it. */
  flowsDir: string;
  /** Only flows without problems, sorted by id; a flow with problems is left out, never half-loaded. */
  flows: HelpFlow[];
  /** The flow file each good flow came from, by flow id. */
  flowFiles: Map<string, string>;
  /** Absolute paths of the images the good flows show (each checked to exist by the validator). */
  images: string[];
  /** mcu-sim.json when the model has one and it is JSON. */
  simulator: SimulatorFile | undefined;
  /** Every problem found, in file order, with file and JSON path. */
  problems: ModelProblem[];
}

export interface LoadModelOptions {
  /** An already loaded profile (the agent's); profile.json is then not read. */
  profile?: DeviceProfile | undefined;
  /** Read mcu-sim.json (default true). */
  simulator?: boolean;
  /** Read and validate flows/ (default true); the simulator needs only the profile and mcu-sim.json. */
  flows?: boolean;
  /** Default `<dir>/profile.json`. */
  profileFile?: string;
  /** Default `<dir>/flows`. */
  flowsDir?: string;
  /** Read only this flow file (in `flowsDir`) instead of every `flowsDir/*.json`: `flows validate FILE --profile DIR`. */
  flowFile?: string;
}

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

/** Reads and checks one profile.json; a missing, malformed or invalid file is a PROFILE_INVALID problem, never a throw. */
export function readProfile(file: string): { profile?: DeviceProfile; problems: ModelProblem[] } {
  const read = readJson(file);
  if (!read.ok)
    return {
      problems: [{ file, path: '', code: ModelProblemCode.PROFILE_INVALID, message: `profile ${read.message}` }],
    };
  const parsed = deviceProfile.safeParse(read.json);
  if (!parsed.success)
    return {
      problems: [{ file, path: '', code: ModelProblemCode.PROFILE_INVALID, message: describeIssues(parsed.error) }],
    };
  return { profile: parsed.data, problems: [] };
}

function imagesOf(flow: HelpFlow, flowsDir: string): string[] {
  const out: string[] = [];
  for (const step of Object.values(flow.steps))
    if ('image' in step && typeof step.image === 'string') out.push(join(flowsDir, step.image));
  return out;
}

function readSimulator(file: string): { simulator?: SimulatorFile; problems: ModelProblem[] } {
  if (!existsSync(file)) return { problems: [] };
  const read = readJson(file);
  if (!read.ok)
    return {
      problems: [
        { file, path: '', code: ModelProblemCode.SIM_CONFIG_INVALID, message: `simulator config ${read.message}` },
      ],
    };
  return { simulator: { file, json: read.json }, problems: [] };
}

/**
 * Reads one model folder: `profile.json`, `flows/*.json` (validated against
 * the profile with protocol's validateFlowSet, images checked to exist),
 * `mcu-sim.json`. Never throws for bad content: a missing profile or a broken
 * flow is a problem in the result, as `touchpoint flows validate` reports it.
 * Without a valid profile no flow is loaded: nothing was checked against the
 * device, so nothing is safe to run or show (the agent's rule, now everyone's).
 * `simulator: false` skips mcu-sim.json (a device has no simulator), `flows: false` the flows;
 * `profileFile` and `flowsDir` take those from elsewhere (`flows validate --profile`).
 */
export function loadModel(dir: string, options: LoadModelOptions = {}): LoadedModel {
  const modelDir = resolve(dir);
  const profileFile = resolve(options.profileFile ?? join(modelDir, 'profile.json'));
  const flowsDir = resolve(options.flowsDir ?? join(modelDir, 'flows'));
  const problems: ModelProblem[] = [];
  let profile = options.profile;
  if (!profile) {
    const read = readProfile(profileFile);
    problems.push(...read.problems);
    profile = read.profile;
    // Action preconditions checked against the profile's own sensors and error codes (issue 16).
    if (profile) problems.push(...validateProfile(profile, profileFile));
  }

  const files: FlowFile[] = [];
  const names =
    options.flows === false
      ? []
      : options.flowFile !== undefined
        ? [resolve(options.flowFile)]
        : isDir(flowsDir)
          ? readdirSync(flowsDir)
              .filter((n) => n.endsWith('.json'))
              .sort()
              .map((n) => join(flowsDir, n))
          : [];
  for (const file of names) {
    const read = readJson(file);
    if (read.ok) files.push({ file, json: read.json });
    else problems.push({ file, path: '', code: ModelProblemCode.BAD_JSON, message: `flow file ${read.message}` });
  }
  const set = validateFlowSet(files, { profile, imageExists: (rel) => existsSync(join(flowsDir, rel)) });
  problems.push(...set.problems);
  // Flow ids are ASCII (protocol/flow/schema.ts): code-unit order is a stable order for them, and localeCompare
  // would load ICU's collation data into every process that reads a model (≈ 3 MiB of the agent's RSS, issue 13).
  const good = profile
    ? [...set.flows].sort((a, b) => (a.flow.id < b.flow.id ? -1 : a.flow.id > b.flow.id ? 1 : 0))
    : [];

  const sim = options.simulator === false ? { problems: [] } : readSimulator(join(modelDir, 'mcu-sim.json'));
  problems.push(...sim.problems);
  return {
    dir: modelDir,
    profileFile,
    profile,
    flowsDir,
    flows: good.map((f) => f.flow),
    flowFiles: new Map(good.map((f) => [f.flow.id, f.file])),
    images: [...new Set(good.flatMap((f) => imagesOf(f.flow, flowsDir)))],
    simulator: sim.simulator,
    problems,
  };
}
