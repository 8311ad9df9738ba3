import { loadModel, readProfile, type ModelProblem } from '@touchpoint/models';
import type { DeviceProfile, HelpFlow } from '@touchpoint/protocol';
import { join } from 'node:path';

export interface LoadedFlows {
  /** The folder that holds the flow files; image paths in flows are relative to it. */
  flowsDir: string;
  profile: DeviceProfile | undefined;
  /** Only the flows without problems, sorted by id. */
  flows: HelpFlow[];
  /** Every problem found, in file order. A flow with problems is left out, never half-loaded. */
  problems: ModelProblem[];
}

/** Reads and validates `<modelDir>/profile.json`; problems are reported against that file. */
export async function loadProfile(modelDir: string): Promise<{ profile?: DeviceProfile; problems: ModelProblem[] }> {
  return readProfile(join(modelDir, 'profile.json'));
}

/**
 * Loads the help flows of one model: `<modelDir>/flows/*.json`, validated
 * against `<modelDir>/profile.json` (or the profile passed in), through
 * @touchpoint/models, the one model reader (issue 14). Images are checked to
 * exist next to the flows. A missing flows folder means no flows; without a
 * valid profile no flow is loaded.
 */
export async function loadFlows(modelDir: string, options: { profile?: DeviceProfile } = {}): Promise<LoadedFlows> {
  const model = loadModel(modelDir, { profile: options.profile, simulator: false });
  return { flowsDir: model.flowsDir, profile: model.profile, flows: model.flows, problems: model.problems };
}
