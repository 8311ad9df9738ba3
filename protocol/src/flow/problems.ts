/** What the flow validator can find wrong, each a stable code tools and tests branch on. */
export const FlowProblemCode = {
  /** The file is not JSON. */
  BAD_JSON: 'BAD_JSON',
  /** The profile next to the flows is missing or invalid. */
  PROFILE_INVALID: 'PROFILE_INVALID',
  /** Shape errors: a wrong type, a missing or unknown field. */
  SCHEMA: 'SCHEMA',
  /** A localised text lacks German (de) or English (en). */
  MISSING_TRANSLATION: 'MISSING_TRANSLATION',
  /** An image is a URL, an absolute path, leaves the flows folder or is not an image type. */
  IMAGE_PATH: 'IMAGE_PATH',
  /** An image file the flow names does not exist. */
  IMAGE_MISSING: 'IMAGE_MISSING',
  /** `start`, a `next`, `onTrue`... names a step that does not exist. */
  UNKNOWN_STEP: 'UNKNOWN_STEP',
  /** No path from `start` reaches this step. */
  UNREACHABLE: 'UNREACHABLE',
  /** From this step no path reaches an outcome. */
  DEAD_END: 'DEAD_END',
  /** Check steps that lead back to themselves without showing the customer a screen. */
  AUTO_LOOP: 'AUTO_LOOP',
  /** A resolved outcome's `next` is not a rate step. */
  NOT_A_RATE_STEP: 'NOT_A_RATE_STEP',
  /** A rate step is reached without passing an outcome first. */
  RATE_WITHOUT_OUTCOME: 'RATE_WITHOUT_OUTCOME',
  /** Two choices of one question share an id. */
  DUPLICATE_CHOICE: 'DUPLICATE_CHOICE',
  /** A condition reads a sensor the profile does not declare. */
  UNKNOWN_SENSOR: 'UNKNOWN_SENSOR',
  /** An action step names an action the profile does not declare. */
  UNKNOWN_ACTION: 'UNKNOWN_ACTION',
  /** An action step's params do not match the action's parameter specs. */
  BAD_PARAMS: 'BAD_PARAMS',
  /** A trigger or a condition names an error code the profile does not declare. */
  UNKNOWN_ERROR_CODE: 'UNKNOWN_ERROR_CODE',
  /** A condition does not parse or type-check; the message carries the column. */
  EXPRESSION_INVALID: 'EXPRESSION_INVALID',
  /** The flow's `models` does not list the profile's model. */
  MODEL_MISMATCH: 'MODEL_MISMATCH',
  /** Two flows of one model share an id. */
  DUPLICATE_FLOW_ID: 'DUPLICATE_FLOW_ID',
} as const;
export type FlowProblemCode = (typeof FlowProblemCode)[keyof typeof FlowProblemCode];

/** One thing wrong with one flow file. `path` is a JSON path such as `steps.descale_run.verify` ('' for the whole file). */
export interface FlowProblem {
  file: string;
  path: string;
  code: FlowProblemCode;
  message: string;
}

/** Render a JSON path: keys and array indices joined with dots. */
export function jsonPath(segments: readonly (string | number | symbol)[]): string {
  return segments.map((s) => String(s)).join('.');
}

/** One line per problem: `file: path: message (CODE)`. */
export function formatFlowProblem(problem: FlowProblem): string {
  return `${problem.file}: ${problem.path || '(root)'}: ${problem.message} (${problem.code})`;
}
