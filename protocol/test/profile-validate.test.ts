import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FlowProblemCode, deviceProfile, validateFlow, validateProfile, type DeviceProfile } from '../src/index.js';

// Issue 16: the device-maker guide's example passed `flows validate` although its action's
// precondition read a sensor the profile did not declare, so the action could never run.

const read = (rel: string): string => readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8');
const file = 'profile.json';
const t = (en: string): { de: string; en: string } => ({ de: `${en} (de)`, en });

function profileWith(precondition: string): DeviceProfile {
  return deviceProfile.parse({
    model: 'heat-pump',
    version: '0.1.0',
    name: t('Heat pump'),
    sensors: [
      { id: 'flow_temp', type: 'number', label: t('Flow temperature') },
      { id: 'filter_clogged', type: 'boolean', label: t('Filter clogged') },
      { id: 'device_state', type: 'string', label: t('State') },
    ],
    errors: [{ code: 'E10', severity: 'warning', label: t('Clean the filter') }],
    actions: [
      { name: 'self_test', label: t('Self test') },
      { name: 'flush_filter', label: t('Flush filter'), precondition },
    ],
  });
}

const problems = (precondition: string) =>
  validateProfile(profileWith(precondition), file).map((p) => `${p.code} ${p.path}: ${p.message}`);

describe('validateProfile: action preconditions against the profile', () => {
  it('accepts a precondition over declared sensors and error codes with matching types', () => {
    expect(
      problems(
        "sensors.device_state == 'idle' && !sensors.filter_clogged && sensors.flow_temp < 60 && !('E10' in errors)",
      ),
    ).toEqual([]);
  });

  it('reports a sensor the profile does not declare, at the action precondition path', () => {
    expect(problems("sensors.machine_state == 'idle'")).toEqual([
      'UNKNOWN_SENSOR actions.1.precondition: column 9: unknown sensor "machine_state"; profile "heat-pump" has flow_temp, filter_clogged, device_state',
    ]);
    expect(problems("sensors['machine_state'] == 'idle'")[0]).toMatch(
      /^UNKNOWN_SENSOR actions\.1\.precondition: column 9:/,
    );
  });

  it('reports an error code the profile does not declare', () => {
    expect(problems('!("E99" in errors)')).toEqual([
      'UNKNOWN_ERROR_CODE actions.1.precondition: column 3: unknown error code "E99"; profile "heat-pump" has E10',
    ]);
  });

  it('reports a boolean sensor compared with a number and a string sensor compared with a number', () => {
    const bool = problems('sensors.filter_clogged == 1');
    expect(bool).toHaveLength(1);
    expect(bool[0]).toMatch(/^EXPRESSION_INVALID actions\.1\.precondition: column \d+: .*bool.*int/);
    const text = problems('sensors.device_state > 3');
    expect(text).toHaveLength(1);
    expect(text[0]).toMatch(/^EXPRESSION_INVALID actions\.1\.precondition: .*string.*int/);
  });

  it('reports a precondition that does not parse, with its column', () => {
    expect(problems('sensors.flow_temp <')).toEqual([
      expect.stringMatching(/^EXPRESSION_INVALID actions\.1\.precondition: column \d+:/),
    ]);
  });

  it('finds nothing wrong in the shipped example profiles', () => {
    for (const model of ['coffee-machine', 'wallbox']) {
      const profile = deviceProfile.parse(JSON.parse(read(`../../examples/${model}/profile.json`)));
      expect(validateProfile(profile, `${model}/profile.json`), model).toEqual([]);
    }
  });

  it("finds nothing wrong in the device-maker guide's example profile", () => {
    const guide = read('../../docs/device-maker-guide.md');
    const block = /## 1\. The profile[\s\S]*?```json\n([\s\S]*?)```/.exec(guide)?.[1];
    expect(block, 'the guide shows a profile in section 1').toBeDefined();
    const profile = deviceProfile.parse(JSON.parse(block as string));
    expect(profile.actions.some((a) => a.precondition !== undefined)).toBe(true);
    expect(validateProfile(profile, 'docs/device-maker-guide.md')).toEqual([]);
  });
});

describe('validateFlow: condition types against the profile', () => {
  it('reports a check that compares a boolean sensor with a number', () => {
    const profile = profileWith('true');
    const flow = {
      id: 'filter',
      version: '1.0.0',
      models: ['heat-pump'],
      title: t('Filter'),
      description: t('Filter'),
      start: 'check',
      steps: {
        check: { kind: 'check', condition: 'sensors.filter_clogged == 1', onTrue: 'done', onFalse: 'done' },
        done: { kind: 'outcome', result: 'escalate', text: t('Support helps'), reason: 'filter' },
      },
    };
    const found = validateFlow(flow, { file: 'flows/filter.json', profile });
    expect(found.map((p) => `${p.code} ${p.path}`)).toEqual([
      `${FlowProblemCode.EXPRESSION_INVALID} steps.check.condition`,
    ]);
  });
});
