import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  FlowProblemCode,
  deviceProfile,
  helpFlow,
  validateFlow,
  validateFlowSet,
  type FlowProblem,
  type HelpFlow,
} from '../src/index.js';

const profile = deviceProfile.parse(
  JSON.parse(
    readFileSync(fileURLToPath(new URL('../../examples/coffee-machine/profile.json', import.meta.url)), 'utf8'),
  ),
);
const file = 'flows/test.json';

const t = (en: string): { de: string; en: string } => ({ de: `${en} (de)`, en });

/** A small valid flow that uses every step kind; each test breaks one thing. */
function baseFlow(): Record<string, unknown> {
  return {
    id: 'descale-test',
    version: '1.0.0',
    models: ['coffee-machine'],
    title: t('Descale'),
    description: t('Descales the machine'),
    triggers: { errors: ['E05'] },
    start: 'intro',
    steps: {
      intro: { kind: 'info', text: t('Place a container'), image: 'images/a.svg', next: 'check_water' },
      check_water: { kind: 'check', condition: 'sensors.water_tank_level >= 30', onTrue: 'run', onFalse: 'refill' },
      refill: {
        kind: 'question',
        text: t('Refill the tank'),
        choices: [
          { id: 'done', label: t('Done'), next: 'check_water' },
          { id: 'give_up', label: t('Get help'), next: 'escalate' },
        ],
      },
      run: {
        kind: 'action',
        action: 'descale',
        params: { intensity: 'normal' },
        confirm: t('Start?'),
        verify: '!("E05" in errors)',
        onSuccess: 'resolved',
        onFailure: 'escalate',
      },
      resolved: { kind: 'outcome', result: 'resolved', resolution: 'fix', text: t('Done'), next: 'rate' },
      escalate: { kind: 'outcome', result: 'escalate', text: t('Support helps'), reason: 'descale_failed' },
      rate: { kind: 'rate' },
    },
  };
}

type Json = Record<string, unknown>;
const steps = (flow: Json): Record<string, Json> => flow['steps'] as Record<string, Json>;

function problems(flow: unknown, imageExists: (p: string) => boolean = () => true): FlowProblem[] {
  return validateFlow(flow, { file, profile, imageExists });
}

/** Exactly one problem, with this code at this path. */
function expectOnly(flow: unknown, code: FlowProblem['code'], path: string): FlowProblem {
  const found = problems(flow);
  expect(found.map((p) => `${p.code} ${p.path}`)).toEqual([`${code} ${path}`]);
  expect(found[0]?.file).toBe(file);
  return found[0] as FlowProblem;
}

describe('validateFlow', () => {
  it('accepts the base flow and infers its type', () => {
    expect(problems(baseFlow())).toEqual([]);
    const parsed = helpFlow.parse(baseFlow());
    expectTypeOf(parsed).toEqualTypeOf<HelpFlow>();
    expect(parsed.triggers.menu).toBe(true);
  });

  it('SCHEMA: a wrong field type, with its path', () => {
    const flow = baseFlow();
    steps(flow)['intro']!['text'] = 42;
    expectOnly(flow, FlowProblemCode.SCHEMA, 'steps.intro.text');
  });

  it('SCHEMA: an unknown field (a typo) is named in the path', () => {
    const flow = baseFlow();
    steps(flow)['run']!['onsuccess'] = 'resolved';
    const p = expectOnly(flow, FlowProblemCode.SCHEMA, 'steps.run.onsuccess');
    expect(p.message).toContain('unknown field');
  });

  it('SCHEMA: an unknown step kind', () => {
    const flow = baseFlow();
    steps(flow)['intro']!['kind'] = 'slide';
    const found = problems(flow);
    expect(found.map((p) => `${p.code} ${p.path}`)).toContain(`${FlowProblemCode.SCHEMA} steps.intro.kind`);
  });

  it('SCHEMA: a resolved end must say which outcome it is, one of fix, customer, nothing-wrong (issue 16)', () => {
    const flow = baseFlow();
    delete steps(flow)['resolved']!['resolution'];
    expectOnly(flow, FlowProblemCode.SCHEMA, 'steps.resolved.resolution');
    steps(flow)['resolved']!['resolution'] = 'fixed-itself';
    expectOnly(flow, FlowProblemCode.SCHEMA, 'steps.resolved.resolution');
    for (const resolution of ['fix', 'customer', 'nothing-wrong']) {
      steps(flow)['resolved']!['resolution'] = resolution;
      expect(problems(flow)).toEqual([]);
    }
  });

  it('SCHEMA: a version that is not semver', () => {
    const flow = baseFlow();
    flow['version'] = '1.0';
    expectOnly(flow, FlowProblemCode.SCHEMA, 'version');
  });

  it('MISSING_TRANSLATION: a missing English title', () => {
    const flow = baseFlow();
    flow['title'] = { de: 'Entkalken' };
    const p = expectOnly(flow, FlowProblemCode.MISSING_TRANSLATION, 'title.en');
    expect(p.message).toMatch(/English/);
  });

  it('MISSING_TRANSLATION: an empty German choice label deep in a step', () => {
    const flow = baseFlow();
    ((steps(flow)['refill']!['choices'] as Json[])[1]!['label'] as Json)['de'] = '';
    expect(problems(flow).map((p) => `${p.code} ${p.path}`)).toEqual([
      `${FlowProblemCode.MISSING_TRANSLATION} steps.refill.choices.1.label.de`,
    ]);
  });

  it('MISSING_TRANSLATION: extra languages are optional', () => {
    const flow = baseFlow();
    flow['title'] = { de: 'Entkalken', en: 'Descale', fr: 'Détartrer' };
    expect(problems(flow)).toEqual([]);
  });

  it('IMAGE_PATH: an internet URL', () => {
    const flow = baseFlow();
    steps(flow)['intro']!['image'] = 'https://example.com/descale.png';
    const p = expectOnly(flow, FlowProblemCode.IMAGE_PATH, 'steps.intro.image');
    expect(p.message).toMatch(/not a URL/);
  });

  it.each([
    'http://example.com/a.png',
    '//cdn.example.com/a.png',
    '/etc/a.png',
    '../other/a.png',
    'images/a.exe',
    'data:image/png;base64,AAAA',
  ])('IMAGE_PATH: refuses %s', (image) => {
    const flow = baseFlow();
    steps(flow)['intro']!['image'] = image;
    expectOnly(flow, FlowProblemCode.IMAGE_PATH, 'steps.intro.image');
  });

  it('IMAGE_MISSING: an image that is not shipped', () => {
    const flow = baseFlow();
    const found = problems(flow, (p) => p !== 'images/a.svg');
    expect(found.map((p) => `${p.code} ${p.path}`)).toEqual([`${FlowProblemCode.IMAGE_MISSING} steps.intro.image`]);
  });

  it('UNKNOWN_STEP: the start step', () => {
    const flow = baseFlow();
    flow['start'] = 'intro_typo';
    const found = problems(flow);
    expect(found.map((p) => `${p.code} ${p.path}`)).toEqual([`${FlowProblemCode.UNKNOWN_STEP} start`]);
  });

  it('UNKNOWN_STEP: a choice target, without calling upstream steps dead ends', () => {
    const flow = baseFlow();
    (steps(flow)['refill']!['choices'] as Json[])[1]!['next'] = 'escalte';
    const p = expectOnly(flow, FlowProblemCode.UNKNOWN_STEP, 'steps.refill.choices.1.next');
    expect(p.message).toContain('"escalte"');
  });

  it('UNKNOWN_STEP: an action failure target', () => {
    const flow = baseFlow();
    steps(flow)['run']!['onFailure'] = 'nowhere';
    // escalate is still reached from the question, so only the bad id is reported.
    expectOnly(flow, FlowProblemCode.UNKNOWN_STEP, 'steps.run.onFailure');
  });

  it('UNREACHABLE: a step nothing leads to', () => {
    const flow = baseFlow();
    steps(flow)['orphan'] = { kind: 'info', text: t('Nobody sees me'), next: 'resolved' };
    expectOnly(flow, FlowProblemCode.UNREACHABLE, 'steps.orphan');
  });

  it('DEAD_END: a loop with no way to an outcome', () => {
    const flow = baseFlow();
    steps(flow)['intro']!['next'] = 'loop_a';
    steps(flow)['loop_a'] = { kind: 'info', text: t('A'), next: 'loop_b' };
    steps(flow)['loop_b'] = { kind: 'info', text: t('B'), next: 'loop_a' };
    const found = problems(flow).map((p) => `${p.code} ${p.path}`);
    expect(found).toEqual([
      `${FlowProblemCode.DEAD_END} steps.intro`,
      `${FlowProblemCode.UNREACHABLE} steps.check_water`,
      `${FlowProblemCode.UNREACHABLE} steps.refill`,
      `${FlowProblemCode.UNREACHABLE} steps.run`,
      `${FlowProblemCode.UNREACHABLE} steps.resolved`,
      `${FlowProblemCode.UNREACHABLE} steps.escalate`,
      `${FlowProblemCode.UNREACHABLE} steps.rate`,
      `${FlowProblemCode.DEAD_END} steps.loop_a`,
      `${FlowProblemCode.DEAD_END} steps.loop_b`,
    ]);
  });

  it('AUTO_LOOP: check steps that lead back to themselves', () => {
    const flow = baseFlow();
    steps(flow)['check_water']!['onFalse'] = 'check_again';
    steps(flow)['check_again'] = {
      kind: 'check',
      condition: 'sensors.water_tank_level > 10',
      onTrue: 'run',
      onFalse: 'check_water',
    };
    const found = problems(flow).map((p) => `${p.code} ${p.path}`);
    expect(found).toContain(`${FlowProblemCode.AUTO_LOOP} steps.check_water`);
    expect(found).toContain(`${FlowProblemCode.AUTO_LOOP} steps.check_again`);
    // The question is now unreachable; that is reported too, in the same run.
    expect(found).toContain(`${FlowProblemCode.UNREACHABLE} steps.refill`);
  });

  it('NOT_A_RATE_STEP: a resolved outcome leading to a non-rate step', () => {
    const flow = baseFlow();
    steps(flow)['resolved']!['next'] = 'intro';
    const found = problems(flow).map((p) => `${p.code} ${p.path}`);
    expect(found[0]).toBe(`${FlowProblemCode.NOT_A_RATE_STEP} steps.resolved.next`);
  });

  it('RATE_WITHOUT_OUTCOME: jumping to the rating from a question', () => {
    const flow = baseFlow();
    (steps(flow)['refill']!['choices'] as Json[])[1]!['next'] = 'rate';
    const found = problems(flow).map((p) => `${p.code} ${p.path}`);
    expect(found).toEqual([`${FlowProblemCode.RATE_WITHOUT_OUTCOME} steps.refill.choices.1.next`]);
  });

  it('DUPLICATE_CHOICE: two choices with one id', () => {
    const flow = baseFlow();
    (steps(flow)['refill']!['choices'] as Json[])[1]!['id'] = 'done';
    expectOnly(flow, FlowProblemCode.DUPLICATE_CHOICE, 'steps.refill.choices.1.id');
  });

  it('UNKNOWN_SENSOR: a sensor the profile lacks, with its column', () => {
    const flow = baseFlow();
    steps(flow)['check_water']!['condition'] = 'sensors.water_tank_level >= 30 && sensors.tank_temp < 40';
    const p = expectOnly(flow, FlowProblemCode.UNKNOWN_SENSOR, 'steps.check_water.condition');
    expect(p.message).toMatch(/^column 43: unknown sensor "tank_temp"/);
  });

  it('UNKNOWN_ACTION: an action the profile lacks', () => {
    const flow = baseFlow();
    steps(flow)['run']!['action'] = 'self_destruct';
    const p = expectOnly(flow, FlowProblemCode.UNKNOWN_ACTION, 'steps.run.action');
    expect(p.message).toContain('descale');
  });

  it('BAD_PARAMS: a value outside the enum', () => {
    const flow = baseFlow();
    steps(flow)['run']!['params'] = { intensity: 'nuclear' };
    expectOnly(flow, FlowProblemCode.BAD_PARAMS, 'steps.run.params.intensity');
  });

  it('BAD_PARAMS: a parameter the action does not have', () => {
    const flow = baseFlow();
    steps(flow)['run']!['params'] = { intensity: 'normal', temperature: 95 };
    const p = expectOnly(flow, FlowProblemCode.BAD_PARAMS, 'steps.run.params.temperature');
    expect(p.message).toContain('no parameter "temperature"');
  });

  it('BAD_PARAMS: a required parameter missing and a number out of range', () => {
    const flow = baseFlow();
    steps(flow)['run']!['action'] = 'set_grind_size';
    steps(flow)['run']!['params'] = {};
    expectOnly(flow, FlowProblemCode.BAD_PARAMS, 'steps.run.params.size');
    steps(flow)['run']!['params'] = { size: 11 };
    expectOnly(flow, FlowProblemCode.BAD_PARAMS, 'steps.run.params.size');
  });

  it('UNKNOWN_ERROR_CODE: a trigger the profile lacks', () => {
    const flow = baseFlow();
    flow['triggers'] = { errors: ['E05', 'E99'] };
    expectOnly(flow, FlowProblemCode.UNKNOWN_ERROR_CODE, 'triggers.errors.1');
  });

  it('UNKNOWN_ERROR_CODE: an error code inside a condition, with column', () => {
    const flow = baseFlow();
    steps(flow)['run']!['verify'] = '!("E50" in errors)';
    const p = expectOnly(flow, FlowProblemCode.UNKNOWN_ERROR_CODE, 'steps.run.verify');
    expect(p.message).toMatch(/^column 3: unknown error code "E50"/);
  });

  it('EXPRESSION_INVALID: a syntax error, with its column', () => {
    const flow = baseFlow();
    steps(flow)['run']!['verify'] = '!("E05" in errors';
    const p = expectOnly(flow, FlowProblemCode.EXPRESSION_INVALID, 'steps.run.verify');
    expect(p.message).toMatch(/^column 18: /);
  });

  it('EXPRESSION_INVALID: a type error against the profile, with its column', () => {
    const flow = baseFlow();
    steps(flow)['check_water']!['condition'] = 'sensors.water_tank_level >= 30 && sensors.machine_state > 2';
    const p = expectOnly(flow, FlowProblemCode.EXPRESSION_INVALID, 'steps.check_water.condition');
    expect(p.message).toMatch(/^column 35: no such overload: string > int/);
  });

  it('EXPRESSION_INVALID: mixed int/double equality is fine, mixed arithmetic is not', () => {
    const flow = baseFlow();
    steps(flow)['check_water']!['condition'] = 'sensors.grind_size == 4 && 5 != sensors.brew_strength';
    expect(problems(flow)).toEqual([]);
    steps(flow)['check_water']!['condition'] = 'sensors.grind_size + 1 > 4';
    expectOnly(flow, FlowProblemCode.EXPRESSION_INVALID, 'steps.check_water.condition');
  });

  it('EXPRESSION_INVALID: malicious input in a condition', () => {
    const flow = baseFlow();
    steps(flow)['check_water']!['condition'] = 'sensors.__proto__ == 1';
    const p = expectOnly(flow, FlowProblemCode.EXPRESSION_INVALID, 'steps.check_water.condition');
    expect(p.message).toMatch(/^column 9: /);
  });

  it('MODEL_MISMATCH: a flow for another model', () => {
    const flow = baseFlow();
    flow['models'] = ['wallbox'];
    expectOnly(flow, FlowProblemCode.MODEL_MISMATCH, 'models');
  });

  it('reports problems of different kinds in one run', () => {
    const flow = baseFlow();
    flow['title'] = { en: 'Descale' };
    steps(flow)['run']!['action'] = 'self_destruct';
    steps(flow)['check_water']!['condition'] = 'sensors.nope > 1';
    steps(flow)['intro']!['image'] = 'https://example.com/x.png';
    steps(flow)['refill']!['extra'] = true;
    const found = problems(flow)
      .map((p) => `${p.code} ${p.path}`)
      .sort();
    expect(found).toEqual(
      [
        `${FlowProblemCode.MISSING_TRANSLATION} title.de`,
        `${FlowProblemCode.IMAGE_PATH} steps.intro.image`,
        `${FlowProblemCode.SCHEMA} steps.refill.extra`,
        `${FlowProblemCode.UNKNOWN_ACTION} steps.run.action`,
        `${FlowProblemCode.UNKNOWN_SENSOR} steps.check_water.condition`,
      ].sort(),
    );
  });

  it('without a profile, checks structure and expressions only', () => {
    const flow = baseFlow();
    steps(flow)['run']!['action'] = 'anything';
    expect(validateFlow(flow, { file })).toEqual([]);
    steps(flow)['run']!['verify'] = 'errors ==';
    expect(validateFlow(flow, { file }).map((p) => p.code)).toEqual([FlowProblemCode.EXPRESSION_INVALID]);
  });

  it('survives input that is not a flow at all', () => {
    for (const junk of [null, 42, 'flow', [], { steps: 'x' }, { steps: { a: null } }]) {
      const found = validateFlow(junk, { file, profile });
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((p) => p.code === FlowProblemCode.SCHEMA)).toBe(true);
    }
  });
});

describe('validateFlowSet', () => {
  it('DUPLICATE_FLOW_ID: the second file with an id is reported and left out', () => {
    const result = validateFlowSet(
      [
        { file: 'flows/a.json', json: baseFlow() },
        { file: 'flows/b.json', json: baseFlow() },
      ],
      { profile },
    );
    expect(result.problems).toEqual([
      {
        file: 'flows/b.json',
        path: 'id',
        code: FlowProblemCode.DUPLICATE_FLOW_ID,
        message: 'flow id "descale-test" is already used by flows/a.json',
      },
    ]);
    expect(result.flows.map((f) => f.file)).toEqual(['flows/a.json']);
  });

  it('returns only the valid flows', () => {
    const broken = baseFlow();
    broken['id'] = 'broken';
    broken['start'] = 'missing';
    const result = validateFlowSet(
      [
        { file: 'flows/a.json', json: baseFlow() },
        { file: 'flows/broken.json', json: broken },
      ],
      { profile },
    );
    expect(result.flows.map((f) => f.flow.id)).toEqual(['descale-test']);
    expect(result.problems.map((p) => `${p.file} ${p.path}`)).toEqual(['flows/broken.json start']);
  });
});
