import { formatModelProblem, loadModel as readModelFiles } from '@touchpoint/models';
import type { DeviceProfile } from '@touchpoint/protocol';
import { describeIssues } from '@touchpoint/protocol';
import { simConfig, type SimConfig } from './config.js';

/**
 * Loads `<dir>/profile.json` and `<dir>/mcu-sim.json` through @touchpoint/models,
 * the one model reader (issue 14); errors name the file and the bad field.
 * The shape of mcu-sim.json is the simulator's own (./config.ts).
 */
export async function loadModel(dir: string): Promise<{ profile: DeviceProfile; config: SimConfig }> {
  const model = readModelFiles(dir, { flows: false });
  const problem = model.problems[0];
  if (problem) throw new Error(formatModelProblem(problem));
  if (!model.profile) throw new Error(`${model.profileFile}: no profile`);
  if (!model.simulator) throw new Error(`cannot read ${dir}/mcu-sim.json: the model has no simulator config`);
  const config = simConfig.safeParse(model.simulator.json);
  if (!config.success) throw new Error(`${model.simulator.file}: ${describeIssues(config.error)}`);
  return { profile: model.profile, config: config.data };
}
