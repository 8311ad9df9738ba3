import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  MAX_CONDITION_LENGTH,
  checkConditionTypes,
  conditionIdentifiers,
  evaluateCondition,
  evaluateConditionSource,
  parseCondition,
  type ParsedCondition,
  type SensorSpec,
} from '../src/index.js';

const sensors: SensorSpec[] = [
  { id: 'water_tank_level', type: 'number', label: { de: 'Wassertank', en: 'Water tank' } },
  { id: 'machine_state', type: 'string', label: { de: 'Zustand', en: 'State' } },
  { id: 'drip_tray_full', type: 'boolean', label: { de: 'Schale voll', en: 'Tray full' } },
];

function parsed(src: string): ParsedCondition {
  const result = parseCondition(src);
  if (!result.ok) throw new Error(`expected ${src} to parse: ${result.reason}`);
  return result.value;
}

function parseError(src: string): { reason: string; column: number } {
  const result = parseCondition(src);
  if (result.ok) throw new Error(`expected ${src} to be refused`);
  expect(result.code).toBe(ErrorCode.EXPRESSION_INVALID);
  return result;
}

describe('parseCondition', () => {
  it('parses the issue example and evaluates it on both branches', () => {
    const cond = parsed('sensors.water_tank_level < 15 && !("E05" in errors)');
    expect(evaluateCondition(cond, { sensors: { water_tank_level: 10 }, errors: [] })).toEqual({
      ok: true,
      value: true,
    });
    expect(evaluateCondition(cond, { sensors: { water_tank_level: 10 }, errors: ['E05'] })).toEqual({
      ok: true,
      value: false,
    });
    expect(evaluateCondition(cond, { sensors: { water_tank_level: 50 }, errors: [] })).toEqual({
      ok: true,
      value: false,
    });
  });

  it('compares sensor numbers with integer and decimal literals', () => {
    const ctx = { sensors: { water_tank_level: 30 }, errors: [] };
    expect(evaluateConditionSource('sensors.water_tank_level >= 30', ctx)).toEqual({ ok: true, value: true });
    expect(evaluateConditionSource('sensors.water_tank_level >= 30.5', ctx)).toEqual({ ok: true, value: false });
    expect(evaluateConditionSource('sensors.water_tank_level == 30', ctx)).toEqual({ ok: true, value: true });
  });

  it('reads strings, booleans and the error list', () => {
    const ctx = { sensors: { machine_state: 'idle', drip_tray_full: false }, errors: ['E01', 'E05'] };
    expect(evaluateConditionSource("sensors.machine_state == 'idle' && !sensors.drip_tray_full", ctx)).toEqual({
      ok: true,
      value: true,
    });
    expect(evaluateConditionSource('errors.exists(e, e.startsWith("E0")) && size(errors) == 2', ctx)).toEqual({
      ok: true,
      value: true,
    });
  });

  it('reports syntax errors with the 1-based column', () => {
    expect(parseError('sensors.water_tank_level >= ').column).toBe(29);
    const unclosed = parseError('(sensors.water_tank_level > 3');
    expect(unclosed.column).toBeGreaterThan(1);
    expect(parseError('sensors.water_tank_level >= 30 &&& true').column).toBe(34);
  });

  it('reports unknown variables with their column', () => {
    const err = parseError('sensors.water_tank_level > 3 && tank.level > 1');
    expect(err.column).toBe(33);
    expect(err.reason).toMatch(/tank/);
  });

  it('refuses a condition that is not boolean', () => {
    expect(parseError('1 + 2').reason).toMatch(/true or false/);
    expect(parseError('"text"').reason).toMatch(/true or false/);
  });

  it('refuses empty input and non-strings', () => {
    expect(parseError('   ').reason).toMatch(/empty/);
    expect(parseCondition(42 as unknown as string).ok).toBe(false);
  });

  it('lists referenced sensors and error codes in source order with columns', () => {
    const ids = conditionIdentifiers(
      parsed('sensors.water_tank_level >= 30 && sensors["machine_state"] == "idle" && !("E05" in errors)'),
    );
    expect(ids.sensors).toEqual([
      { name: 'water_tank_level', column: 9 },
      { name: 'machine_state', column: 43 },
    ]);
    expect(ids.errorCodes).toEqual([{ code: 'E05', column: 75 }]);
  });
});

describe('malicious input', () => {
  it.each([
    ['sensors.constructor == 1', 9],
    ['sensors.__proto__.x == 1', 9],
    ['sensors["__proto__"] == 1', 9],
    ['errors.constructor == 1', 8],
    ['"a".constructor == 1', 5],
    ['sensors.prototype == 1', 9],
    ['constructor == 1', 1],
    ['__proto__ == 1', 1],
    ['sensors.x == 1 || size(sensors.__defineGetter__) > 0', 32],
  ])('refuses %s at column %i', (src, column) => {
    const err = parseError(src);
    expect(err.reason).toMatch(/not allowed|reserved/i);
    expect(err.column).toBe(column);
  });

  it('refuses input longer than the limit before parsing', () => {
    const long = `sensors.water_tank_level > 1${' && true'.repeat(200)}`;
    expect(long.length).toBeGreaterThan(MAX_CONDITION_LENGTH);
    const err = parseError(long);
    expect(err.reason).toMatch(/at most 512/);
    expect(err.column).toBe(MAX_CONDITION_LENGTH + 1);
  });

  it('refuses deep nesting within the length limit', () => {
    const deep = `${'('.repeat(60)}true${')'.repeat(60)}`;
    expect(deep.length).toBeLessThan(MAX_CONDITION_LENGTH);
    expect(parseError(deep).reason).toMatch(/maxDepth/);
    const lists = `size(${'['.repeat(40)}1${']'.repeat(40)}) == 1`;
    expect(parseError(lists).reason).toMatch(/maxDepth/);
  });

  it('refuses too many nodes within the length limit', () => {
    const wide = Array.from({ length: 130 }, () => '1').join('+');
    expect(wide.length).toBeLessThan(MAX_CONDITION_LENGTH);
    expect(parseError(`${wide} > 0`).reason).toMatch(/maxAstNodes|limit/i);
  });

  it('never reaches the JS object model through sensor values', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "level": 3}') as Record<string, number>;
    const cond = parsed('sensors.level == 3');
    expect(evaluateCondition(cond, { sensors: hostile, errors: [] })).toEqual({ ok: true, value: true });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const prototypeHas = parsed('has(sensors.toString)');
    expect(evaluateCondition(prototypeHas, { sensors: { level: 1 }, errors: [] })).toEqual({ ok: true, value: false });
  });

  it('ignores non-data sensor values instead of exposing them', () => {
    const sneaky = { level: 1, fn: (() => 1) as unknown as number };
    expect(evaluateConditionSource('has(sensors.fn)', { sensors: sneaky, errors: [] })).toEqual({
      ok: true,
      value: false,
    });
  });
});

describe('evaluateCondition', () => {
  it('returns an error value, with column, for a missing sensor', () => {
    const result = evaluateCondition(parsed('sensors.water_tank_level >= 30'), { sensors: {}, errors: [] });
    expect(result).toMatchObject({ ok: false, code: ErrorCode.EXPRESSION_INVALID, column: 9 });
  });

  it('returns an error value for a type mismatch at runtime', () => {
    const result = evaluateCondition(parsed('sensors.machine_state > 3'), {
      sensors: { machine_state: 'idle' },
      errors: [],
    });
    expect(result.ok).toBe(false);
  });
});

describe('checkConditionTypes', () => {
  it('accepts well-typed conditions', () => {
    expect(
      checkConditionTypes(parsed("sensors.water_tank_level >= 30 && sensors.machine_state == 'idle'"), sensors).ok,
    ).toBe(true);
  });

  it('catches type mismatches against the profile with a column', () => {
    const result = checkConditionTypes(parsed('sensors.drip_tray_full && sensors.machine_state > 3'), sensors);
    expect(result).toMatchObject({ ok: false, column: 27 });
    if (!result.ok) expect(result.reason).toMatch(/string > int/);
  });

  it('accepts mixed int/double equality and membership, as evaluation does', () => {
    const cond = parsed('sensors.water_tank_level in [30, 40] && sensors.water_tank_level != 35');
    expect(checkConditionTypes(cond, sensors).ok).toBe(true);
    expect(evaluateCondition(cond, { sensors: { water_tank_level: 40 }, errors: [] })).toEqual({
      ok: true,
      value: true,
    });
    expect(evaluateCondition(cond, { sensors: { water_tank_level: 41 }, errors: [] })).toEqual({
      ok: true,
      value: false,
    });
  });

  it('catches a number sensor used as a boolean', () => {
    expect(checkConditionTypes(parsed('sensors.water_tank_level'), sensors).ok).toBe(false);
  });
});
