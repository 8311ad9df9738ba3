import { Environment, type ASTNode, type ParseResult } from '@marcbachmann/cel-js';
import { ErrorCode } from '../errors.js';
import type { SensorSpec } from '../profile.js';
import type { SensorValue } from '../messages/base.js';

/**
 * Conditions in flows (`check`, `verify`) and in profiles (action `precondition`)
 * are Common Expression Language (CEL) over two variables:
 *   sensors: map of sensor id -> number | bool | string
 *   errors:  list of active error codes
 * CEL has no side effects, no loops beyond bounded macros and no access to the
 * host, and cel-js interprets the AST itself: nothing reaches eval or Function.
 */

/** Longest accepted condition source. Longer input is refused before the parser sees it. */
export const MAX_CONDITION_LENGTH = 512;

/** Parser limits, far below cel-js defaults: a flow condition is one line, not a program. */
const LIMITS = { maxAstNodes: 256, maxDepth: 24, maxListElements: 64, maxMapEntries: 16, maxCallArguments: 8 };

/** Names that address the JS object model rather than data; refused anywhere in a condition. */
const FORBIDDEN_NAMES = new Set([
  '__proto__',
  'constructor',
  'prototype',
  '__definegetter__',
  '__definesetter__',
  '__lookupgetter__',
  '__lookupsetter__',
]);

/** A failed parse or evaluation: the Result error plus the 1-based column in the source. */
export type ConditionResult<T> =
  { ok: true; value: T } | { ok: false; code: ErrorCode; reason: string; column: number };

/** Sensor names and error codes a condition refers to, with the column of each reference. */
export interface ConditionIdentifiers {
  sensors: { name: string; column: number }[];
  /** Error codes used as literals in `"E05" in errors`. */
  errorCodes: { code: string; column: number }[];
}

/** A parsed, checked condition, ready to evaluate many times. */
export interface ParsedCondition {
  readonly source: string;
  readonly identifiers: ConditionIdentifiers;
  /** @internal the compiled cel-js program; use evaluateCondition. */
  readonly program: ParseResult;
}

export interface ConditionContext {
  sensors: Readonly<Record<string, SensorValue>>;
  errors: readonly string[];
}

// The untyped environment evaluates at runtime; values are plain JSON, so the map is dyn.
// Created on first use, so bundles that import protocol only for its schemas (the console) can drop CEL.
let dynEnvironmentInstance: Environment | undefined;
function dynEnvironment(): Environment {
  dynEnvironmentInstance ??= new Environment({ limits: LIMITS, homogeneousAggregateLiterals: false })
    .registerVariable('sensors', 'map<string, dyn>')
    .registerVariable('errors', 'list<string>');
  return dynEnvironmentInstance;
}

const failAt = <T>(code: ErrorCode, reason: string, column: number): ConditionResult<T> => ({
  ok: false,
  code,
  reason,
  column,
});

interface CelErrorLike {
  summary?: string;
  message?: string;
  range?: { start: number };
}

function columnOf(err: CelErrorLike): number {
  return (err.range?.start ?? 0) + 1;
}

function summaryOf(err: CelErrorLike): string {
  return err.summary ?? (err.message ?? 'invalid expression').split('\n')[0] ?? 'invalid expression';
}

/** Walks the AST once: refuses JS object-model names, collects sensor and error-code references. */
function inspect(root: ASTNode): ConditionResult<ConditionIdentifiers> {
  const identifiers: ConditionIdentifiers = { sensors: [], errorCodes: [] };
  const stack: ASTNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as ASTNode;
    const column = node.range.start + 1;
    switch (node.op) {
      case 'value':
        if (typeof node.args === 'string' && FORBIDDEN_NAMES.has(node.args.toLowerCase())) {
          return failAt(ErrorCode.EXPRESSION_INVALID, `"${node.args}" is not allowed in a condition`, column);
        }
        break;
      case 'id':
        if (FORBIDDEN_NAMES.has(node.args.toLowerCase()))
          return failAt(ErrorCode.EXPRESSION_INVALID, `"${node.args}" is not allowed in a condition`, column);
        break;
      case '.':
      case '.?': {
        const [target, field] = node.args;
        const fieldColumn = node.range.end - field.length + 1;
        if (FORBIDDEN_NAMES.has(field.toLowerCase()))
          return failAt(ErrorCode.EXPRESSION_INVALID, `"${field}" is not allowed in a condition`, fieldColumn);
        if (target.op === 'id' && target.args === 'sensors')
          identifiers.sensors.push({ name: field, column: fieldColumn });
        stack.push(target);
        break;
      }
      case '[]':
      case '[?]': {
        const [target, index] = node.args;
        if (target.op === 'id' && target.args === 'sensors' && index.op === 'value' && typeof index.args === 'string') {
          identifiers.sensors.push({ name: index.args, column: index.range.start + 1 });
        }
        stack.push(target, index);
        break;
      }
      case 'in': {
        const [needle, haystack] = node.args;
        if (
          haystack.op === 'id' &&
          haystack.args === 'errors' &&
          needle.op === 'value' &&
          typeof needle.args === 'string'
        ) {
          identifiers.errorCodes.push({ code: needle.args, column: needle.range.start + 1 });
        }
        stack.push(needle, haystack);
        break;
      }
      case 'call': {
        const [name, args] = node.args;
        if (FORBIDDEN_NAMES.has(name.toLowerCase()))
          return failAt(ErrorCode.EXPRESSION_INVALID, `"${name}" is not allowed in a condition`, column);
        stack.push(...args);
        break;
      }
      case 'rcall': {
        const [name, receiver, args] = node.args;
        if (FORBIDDEN_NAMES.has(name.toLowerCase()))
          return failAt(ErrorCode.EXPRESSION_INVALID, `"${name}" is not allowed in a condition`, column);
        stack.push(receiver, ...args);
        break;
      }
      case 'list':
        stack.push(...node.args);
        break;
      case 'map':
        for (const [key, value] of node.args) stack.push(key, value);
        break;
      case '?:':
        stack.push(...node.args);
        break;
      case '!_':
      case '-_':
        stack.push(node.args);
        break;
      case '||':
      case '&&':
      case '!=':
      case '==':
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
      case '<':
      case '<=':
      case '>':
      case '>=':
        stack.push(...node.args);
        break;
    }
  }
  // The stack walk visits right-to-left; report in source order.
  identifiers.sensors.sort((a, b) => a.column - b.column);
  identifiers.errorCodes.sort((a, b) => a.column - b.column);
  return { ok: true, value: identifiers };
}

/**
 * Parse and check a condition. Refuses input over MAX_CONDITION_LENGTH, syntax
 * errors, deep nesting, unknown variables (only `sensors` and `errors` exist),
 * JS object-model names and results that cannot be a boolean.
 * Errors carry the 1-based column of the offending token.
 */
export function parseCondition(source: string): ConditionResult<ParsedCondition> {
  if (typeof source !== 'string') return failAt(ErrorCode.EXPRESSION_INVALID, 'a condition must be a string', 1);
  if (source.length > MAX_CONDITION_LENGTH) {
    return failAt(
      ErrorCode.EXPRESSION_INVALID,
      `condition is ${source.length} characters long; at most ${MAX_CONDITION_LENGTH} are allowed`,
      MAX_CONDITION_LENGTH + 1,
    );
  }
  if (source.trim() === '') return failAt(ErrorCode.EXPRESSION_INVALID, 'condition is empty', 1);
  let program: ParseResult;
  try {
    program = dynEnvironment().parse(source);
  } catch (err) {
    return failAt(ErrorCode.EXPRESSION_INVALID, summaryOf(err as CelErrorLike), columnOf(err as CelErrorLike));
  }
  const inspected = inspect(program.ast);
  if (!inspected.ok) return inspected;
  const checked = program.check();
  if (!checked.valid) {
    const err = (checked.error ?? {}) as CelErrorLike;
    return failAt(ErrorCode.EXPRESSION_INVALID, summaryOf(err), columnOf(err));
  }
  if (checked.type !== 'bool' && checked.type !== 'dyn') {
    return failAt(
      ErrorCode.EXPRESSION_INVALID,
      `condition must be true or false, but it yields ${checked.type ?? 'an unknown type'}`,
      1,
    );
  }
  return { ok: true, value: Object.freeze({ source, identifiers: inspected.value, program }) };
}

/** The sensors and error codes a parsed condition refers to. */
export function conditionIdentifiers(parsed: ParsedCondition): ConditionIdentifiers {
  return parsed.identifiers;
}

const CEL_TYPE: Record<SensorSpec['type'], string> = { number: 'double', boolean: 'bool', string: 'string' };
const typedEnvironments = new WeakMap<readonly SensorSpec[], Environment>();

function typedEnvironment(sensors: readonly SensorSpec[]): Environment {
  let env = typedEnvironments.get(sensors);
  if (!env) {
    const schema: Record<string, string> = {};
    for (const s of sensors) schema[s.id] = CEL_TYPE[s.type];
    env = new Environment({ limits: LIMITS, homogeneousAggregateLiterals: false })
      .registerVariable({ name: 'sensors', schema })
      .registerVariable('errors', 'list<string>')
      // At runtime CEL compares numbers across int and double (`sensors.phases == 3` holds for 3.0),
      // but the checker only knows same-type equality. Declaring the mixed overloads (cel-js derives
      // the mirrored and != forms) keeps the check as permissive as evaluation; arithmetic stays strict.
      .registerOperator('double == int', (a: number, b: bigint) => a === Number(b))
      .registerOperator('double in list<int>', (a: number, list: bigint[]) => list.some((b) => a === Number(b)));
    typedEnvironments.set(sensors, env);
  }
  return env;
}

/**
 * Type-check a parsed condition against a profile's sensors, so that
 * `sensors.machine_state > 3` or `sensors.grind_size + 1` (double + int)
 * fail at validation time, with a column, instead of on the customer's screen.
 */
export function checkConditionTypes(parsed: ParsedCondition, sensors: readonly SensorSpec[]): ConditionResult<void> {
  let result;
  try {
    result = typedEnvironment(sensors).check(parsed.source);
  } catch (err) {
    return failAt(ErrorCode.EXPRESSION_INVALID, summaryOf(err as CelErrorLike), columnOf(err as CelErrorLike));
  }
  if (!result.valid) {
    const err = (result.error ?? {}) as CelErrorLike;
    return failAt(ErrorCode.EXPRESSION_INVALID, summaryOf(err), columnOf(err));
  }
  if (result.type !== 'bool')
    return failAt(
      ErrorCode.EXPRESSION_INVALID,
      `condition must be true or false, but it yields ${result.type ?? 'an unknown type'}`,
      1,
    );
  return { ok: true, value: undefined };
}

/** Copies only own, well-typed entries into a prototype-free object, so evaluation sees data and nothing else. */
function dataOnly(sensors: Readonly<Record<string, SensorValue>>): Record<string, SensorValue> {
  const out = Object.create(null) as Record<string, SensorValue>;
  for (const key of Object.keys(sensors)) {
    const value = sensors[key];
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') out[key] = value;
  }
  return out;
}

/**
 * Evaluate a parsed condition. A missing sensor, a type mismatch or a
 * non-boolean result is an error value, never an exception.
 */
export function evaluateCondition(parsed: ParsedCondition, context: ConditionContext): ConditionResult<boolean> {
  let value: unknown;
  try {
    value = parsed.program({
      sensors: dataOnly(context.sensors),
      errors: context.errors.filter((e) => typeof e === 'string'),
    });
  } catch (err) {
    return failAt(ErrorCode.EXPRESSION_INVALID, summaryOf(err as CelErrorLike), columnOf(err as CelErrorLike));
  }
  if (typeof value !== 'boolean')
    return failAt(ErrorCode.EXPRESSION_INVALID, `condition yielded ${typeof value}, not true or false`, 1);
  return { ok: true, value };
}

/** Parse and evaluate in one go, for one-off conditions such as an action's precondition. */
export function evaluateConditionSource(source: string, context: ConditionContext): ConditionResult<boolean> {
  const parsed = parseCondition(source);
  return parsed.ok ? evaluateCondition(parsed.value, context) : parsed;
}
