import { FlowProblemCode, type FlowProblem } from '@touchpoint/protocol';

/**
 * What can be wrong with a model on disk: every flow problem (protocol's
 * FlowProblemCode) plus the few that only exist across files and folders.
 */
export const ModelProblemCode = {
  ...FlowProblemCode,
  /** A models dir does not exist or is not a folder. */
  MODELS_DIR_MISSING: 'MODELS_DIR_MISSING',
  /** Two model folders declare the same `model`; the first one found is used. */
  DUPLICATE_MODEL: 'DUPLICATE_MODEL',
  /** mcu-sim.json is not readable JSON. */
  SIM_CONFIG_INVALID: 'SIM_CONFIG_INVALID',
} as const;
export type ModelProblemCode = (typeof ModelProblemCode)[keyof typeof ModelProblemCode];

/** One thing wrong with one file of a model. `path` is a JSON path ('' for the whole file), as in FlowProblem. */
export interface ModelProblem extends Omit<FlowProblem, 'code'> {
  code: ModelProblemCode;
}

/** One line per problem: `file: path: message (CODE)`, the format of `touchpoint flows validate`. */
export function formatModelProblem(problem: ModelProblem): string {
  return `${problem.file}: ${problem.path || '(root)'}: ${problem.message} (${problem.code})`;
}
