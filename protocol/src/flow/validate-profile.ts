import type { DeviceProfile } from '../profile.js';
import type { FlowProblem } from './problems.js';
import { conditionProblems } from './validate.js';

/**
 * The checks a profile needs beyond its zod schema: every action's `precondition` is a
 * condition like a flow's, so it is parsed and its sensors, error codes and types are
 * checked against the profile itself. Before issue 16 the device-maker guide's example
 * passed `flows validate` with a precondition on a sensor the profile did not declare,
 * so its action could never run. Problems carry the profile file and a JSON path such
 * as `actions.0.precondition`, the format of flow problems.
 */
export function validateProfile(profile: DeviceProfile, file: string): FlowProblem[] {
  return profile.actions.flatMap((action, i) =>
    action.precondition === undefined
      ? []
      : conditionProblems(file, `actions.${i}.precondition`, action.precondition, profile),
  );
}
