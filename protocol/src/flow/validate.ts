import type { z } from 'zod';
import { actionParamsSchema, findAction, type DeviceProfile } from '../profile.js';
import { checkConditionTypes, parseCondition } from './condition.js';
import { automaticCycles, distanceToOutcome, reachableSteps, stepEdges } from './graph.js';
import { FlowProblemCode, jsonPath, type FlowProblem } from './problems.js';
import { FLOW_PROBLEM_PARAM, helpFlow, type HelpFlow } from './schema.js';

export interface ValidateFlowOptions {
  /** Shown in every problem; the path of the flow file as the author knows it. */
  file: string;
  /** Without a profile, only the flow's own structure is checked. */
  profile?: DeviceProfile;
  /** Whether an image path (relative to the flows folder) exists; omit to skip the check (no I/O here). */
  imageExists?: (relativePath: string) => boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const KNOWN_KINDS = new Set<unknown>(['info', 'question', 'check', 'action', 'outcome']);

const LANGUAGE_NAMES: Record<string, string> = { de: 'German (de)', en: 'English (en)' };

/** Follows a zod path into the raw input, to tell a missing translation from another type error. */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function schemaProblems(file: string, json: unknown, error: z.ZodError): FlowProblem[] {
  const out: FlowProblem[] = [];
  for (const issue of error.issues) {
    const last = issue.path[issue.path.length - 1];
    const params = (issue as { params?: Record<string, unknown> }).params;
    const marked = params?.[FLOW_PROBLEM_PARAM];
    if (marked === FlowProblemCode.IMAGE_PATH) {
      out.push({ file, path: jsonPath(issue.path), code: FlowProblemCode.IMAGE_PATH, message: issue.message });
      continue;
    }
    if ((last === 'de' || last === 'en') && (issue.code === 'invalid_type' || issue.code === 'too_small')) {
      const value = valueAt(json, issue.path);
      if (value === undefined || (typeof value === 'string' && value.trim() === '')) {
        out.push({
          file,
          path: jsonPath(issue.path),
          code: FlowProblemCode.MISSING_TRANSLATION,
          message: `missing ${LANGUAGE_NAMES[last]} text`,
        });
        continue;
      }
    }
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({
          file,
          path: jsonPath([...issue.path, key]),
          code: FlowProblemCode.SCHEMA,
          message: `unknown field "${key}"`,
        });
      continue;
    }
    if (issue.code === 'invalid_key') {
      const inner = issue.issues[0]?.message ?? issue.message;
      out.push({ file, path: jsonPath(issue.path), code: FlowProblemCode.SCHEMA, message: `invalid key: ${inner}` });
      continue;
    }
    out.push({ file, path: jsonPath(issue.path), code: FlowProblemCode.SCHEMA, message: issue.message });
  }
  return out;
}

/** Checks one condition string: syntax (with column), sensors and error codes against the profile, then types. */
export function conditionProblems(
  file: string,
  path: string,
  source: unknown,
  profile: DeviceProfile | undefined,
): FlowProblem[] {
  if (typeof source !== 'string') return [];
  const parsed = parseCondition(source);
  if (!parsed.ok)
    return [
      { file, path, code: FlowProblemCode.EXPRESSION_INVALID, message: `column ${parsed.column}: ${parsed.reason}` },
    ];
  if (!profile) return [];
  const out: FlowProblem[] = [];
  const sensorIds = new Set(profile.sensors.map((s) => s.id));
  const errorCodes = new Set(profile.errors.map((e) => e.code));
  for (const ref of parsed.value.identifiers.sensors) {
    if (!sensorIds.has(ref.name)) {
      out.push({
        file,
        path,
        code: FlowProblemCode.UNKNOWN_SENSOR,
        message: `column ${ref.column}: unknown sensor "${ref.name}"; profile "${profile.model}" has ${[...sensorIds].join(', ')}`,
      });
    }
  }
  for (const ref of parsed.value.identifiers.errorCodes) {
    if (!errorCodes.has(ref.code)) {
      out.push({
        file,
        path,
        code: FlowProblemCode.UNKNOWN_ERROR_CODE,
        message: `column ${ref.column}: unknown error code "${ref.code}"; profile "${profile.model}" has ${[...errorCodes].join(', ')}`,
      });
    }
  }
  if (out.length > 0) return out;
  const typed = checkConditionTypes(parsed.value, profile.sensors);
  if (!typed.ok)
    out.push({
      file,
      path,
      code: FlowProblemCode.EXPRESSION_INVALID,
      message: `column ${typed.column}: ${typed.reason}`,
    });
  return out;
}

function actionProblems(
  file: string,
  stepPath: string,
  step: Record<string, unknown>,
  profile: DeviceProfile,
): FlowProblem[] {
  const name = step['action'];
  if (typeof name !== 'string') return [];
  const spec = findAction(profile, name);
  if (!spec) {
    return [
      {
        file,
        path: `${stepPath}.action`,
        code: FlowProblemCode.UNKNOWN_ACTION,
        message: `unknown action "${name}"; profile "${profile.model}" has ${profile.actions.map((a) => a.name).join(', ')}`,
      },
    ];
  }
  const params = step['params'] ?? {};
  const parsed = actionParamsSchema(spec).safeParse(params);
  if (parsed.success) return [];
  const out: FlowProblem[] = [];
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({
          file,
          path: jsonPath([stepPath, 'params', ...issue.path, key]),
          code: FlowProblemCode.BAD_PARAMS,
          message: `action "${name}" has no parameter "${key}"`,
        });
    } else {
      out.push({
        file,
        path: jsonPath([stepPath, 'params', ...issue.path]),
        code: FlowProblemCode.BAD_PARAMS,
        message: issue.message,
      });
    }
  }
  return out;
}

/** Graph and reference checks on the raw input; tolerant of schema errors so everything is reported at once. */
function semanticProblems(file: string, json: unknown, options: ValidateFlowOptions): FlowProblem[] {
  if (!isRecord(json)) return [];
  const out: FlowProblem[] = [];
  const { profile } = options;

  if (profile) {
    const models = json['models'];
    if (Array.isArray(models) && models.every((m) => typeof m === 'string') && !models.includes(profile.model)) {
      out.push({
        file,
        path: 'models',
        code: FlowProblemCode.MODEL_MISMATCH,
        message: `does not list "${profile.model}", the model of the profile it is validated against`,
      });
    }
    const triggers = json['triggers'];
    const codes = isRecord(triggers) ? triggers['errors'] : undefined;
    if (Array.isArray(codes)) {
      const known = new Set(profile.errors.map((e) => e.code));
      codes.forEach((code: unknown, i) => {
        if (typeof code === 'string' && !known.has(code)) {
          out.push({
            file,
            path: `triggers.errors.${i}`,
            code: FlowProblemCode.UNKNOWN_ERROR_CODE,
            message: `unknown error code "${code}"; profile "${profile.model}" has ${[...known].join(', ')}`,
          });
        }
      });
    }
  }

  const rawSteps = json['steps'];
  if (!isRecord(rawSteps)) return out;
  const steps = rawSteps;
  const exists = (id: string): boolean => Object.hasOwn(steps, id);
  const kindOf = (id: string): unknown =>
    isRecord(steps[id]) ? (steps[id] as Record<string, unknown>)['kind'] : undefined;

  const start = json['start'];
  if (typeof start === 'string' && !exists(start)) {
    out.push({ file, path: 'start', code: FlowProblemCode.UNKNOWN_STEP, message: `no step "${start}"` });
  }

  for (const [id, step] of Object.entries(steps)) {
    if (!isRecord(step)) continue;
    const stepPath = `steps.${id}`;
    for (const edge of stepEdges(step)) {
      const path = jsonPath([stepPath, ...edge.path]);
      if (!exists(edge.target)) {
        out.push({ file, path, code: FlowProblemCode.UNKNOWN_STEP, message: `no step "${edge.target}"` });
      } else if (step['kind'] === 'outcome' && kindOf(edge.target) !== 'rate') {
        out.push({
          file,
          path,
          code: FlowProblemCode.NOT_A_RATE_STEP,
          message: `a resolved outcome leads to a rate step, but "${edge.target}" is a ${String(kindOf(edge.target))} step`,
        });
      } else if (step['kind'] !== 'outcome' && kindOf(edge.target) === 'rate') {
        out.push({
          file,
          path,
          code: FlowProblemCode.RATE_WITHOUT_OUTCOME,
          message: `leads to rate step "${edge.target}" without an outcome; go through a resolved outcome first`,
        });
      }
    }
    if (step['kind'] === 'question' && Array.isArray(step['choices'])) {
      const seen = new Set<string>();
      step['choices'].forEach((choice: unknown, i) => {
        const choiceId = isRecord(choice) ? choice['id'] : undefined;
        if (typeof choiceId !== 'string') return;
        if (seen.has(choiceId))
          out.push({
            file,
            path: `${stepPath}.choices.${i}.id`,
            code: FlowProblemCode.DUPLICATE_CHOICE,
            message: `choice id "${choiceId}" is used twice in this question`,
          });
        seen.add(choiceId);
      });
    }
    if (step['kind'] === 'check')
      out.push(...conditionProblems(file, `${stepPath}.condition`, step['condition'], profile));
    if (step['kind'] === 'action') {
      if (profile) out.push(...actionProblems(file, stepPath, step, profile));
      out.push(...conditionProblems(file, `${stepPath}.verify`, step['verify'], profile));
    }
    if (
      step['kind'] === 'info' &&
      typeof step['image'] === 'string' &&
      options.imageExists &&
      flowImageOk(step['image']) &&
      !options.imageExists(step['image'])
    ) {
      out.push({
        file,
        path: `${stepPath}.image`,
        code: FlowProblemCode.IMAGE_MISSING,
        message: `image "${step['image']}" not found next to the flow`,
      });
    }
  }

  if (typeof start === 'string' && exists(start)) {
    const reachable = reachableSteps(steps, start);
    const distance = distanceToOutcome(steps, { optimistic: true });
    for (const id of Object.keys(steps)) {
      if (!reachable.has(id)) {
        out.push({
          file,
          path: `steps.${id}`,
          code: FlowProblemCode.UNREACHABLE,
          message: `no path from start step "${start}" reaches this step`,
        });
      } else if (!distance.has(id) && KNOWN_KINDS.has(kindOf(id)) && kindOf(id) !== 'rate') {
        out.push({
          file,
          path: `steps.${id}`,
          code: FlowProblemCode.DEAD_END,
          message: 'no path from this step reaches an outcome, so the customer would be stuck',
        });
      }
    }
  }
  for (const id of automaticCycles(steps)) {
    out.push({
      file,
      path: `steps.${id}`,
      code: FlowProblemCode.AUTO_LOOP,
      message:
        'check steps lead back here without showing the customer a screen; put an info or question step in the loop',
    });
  }
  return out;
}

/** The same test the schema applies, so a bad path is reported once (as IMAGE_PATH), not again as missing. */
function flowImageOk(path: string): boolean {
  return (
    !/^[a-z][a-z0-9+.-]*:/i.test(path) &&
    !path.startsWith('/') &&
    !path.startsWith('\\') &&
    !path.split(/[\\/]/).includes('..')
  );
}

export interface FlowValidation {
  /** The parsed flow when there are no problems. */
  flow?: HelpFlow;
  problems: FlowProblem[];
}

/** Validate one flow and return the parsed flow if it has no problems. */
export function checkFlow(json: unknown, options: ValidateFlowOptions): FlowValidation {
  const parsed = helpFlow.safeParse(json);
  const problems = [
    ...(parsed.success ? [] : schemaProblems(options.file, json, parsed.error)),
    ...semanticProblems(options.file, json, options),
  ];
  return parsed.success && problems.length === 0 ? { flow: parsed.data, problems } : { problems };
}

/**
 * Every problem in one flow: schema errors, unknown step ids, unreachable steps,
 * dead ends, unknown sensors, actions and error codes, action params, missing
 * translations and bad expressions (with column). Empty when the flow is good.
 */
export function validateFlow(json: unknown, options: ValidateFlowOptions): FlowProblem[] {
  return checkFlow(json, options).problems;
}

export interface FlowFile {
  file: string;
  json: unknown;
}

/** Validate all flows of one model, including that flow ids are unique. Returns the good flows and every problem. */
export function validateFlowSet(
  files: readonly FlowFile[],
  options: Omit<ValidateFlowOptions, 'file'>,
): { flows: { file: string; flow: HelpFlow }[]; problems: FlowProblem[] } {
  const flows: { file: string; flow: HelpFlow }[] = [];
  const problems: FlowProblem[] = [];
  const firstFileOfId = new Map<string, string>();
  for (const { file, json } of files) {
    const result = checkFlow(json, { ...options, file });
    problems.push(...result.problems);
    const id = isRecord(json) ? json['id'] : undefined;
    if (typeof id === 'string') {
      const first = firstFileOfId.get(id);
      if (first !== undefined) {
        problems.push({
          file,
          path: 'id',
          code: FlowProblemCode.DUPLICATE_FLOW_ID,
          message: `flow id "${id}" is already used by ${first}`,
        });
        continue;
      }
      firstFileOfId.set(id, file);
    }
    if (result.flow) flows.push({ file, flow: result.flow });
  }
  return { flows, problems };
}
