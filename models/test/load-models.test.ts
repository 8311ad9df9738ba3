import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MODELS_DIR,
  ModelProblemCode,
  formatModelProblem,
  loadModel,
  loadModels,
  missingModelsDir,
  resolveModelsDirs,
} from '../src/index.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const good = join(fixtures, 'good');
const broken = join(fixtures, 'broken-flow');

describe('loadModel', () => {
  it('reads a good model: profile, validated flows, image paths and the simulator config, with no problems', () => {
    const model = loadModel(join(good, 'acme-kettle'));
    expect(model.problems).toEqual([]);
    expect(model.profile?.model).toBe('acme-kettle');
    expect(model.flows.map((f) => f.id)).toEqual(['filter-clogged']);
    expect(model.flowFiles.get('filter-clogged')).toBe(join(good, 'acme-kettle', 'flows', 'filter-clogged.json'));
    expect(model.images).toEqual([join(good, 'acme-kettle', 'flows', 'images', 'filter.svg')]);
    expect(model.simulator?.file).toBe(join(good, 'acme-kettle', 'mcu-sim.json'));
    expect(model.simulator?.json).toMatchObject({ info: { serial: 'ACME-K-0001' } });
  });

  it('leaves a broken flow out and reports each problem with file and JSON path, as flows validate does', () => {
    const model = loadModel(join(broken, 'acme-kettle'));
    expect(model.profile?.model).toBe('acme-kettle');
    expect(model.flows).toEqual([]);
    const flowFile = join(broken, 'acme-kettle', 'flows', 'filter-clogged.json');
    expect(model.problems).toContainEqual({
      file: flowFile,
      path: 'steps.intro.next',
      code: ModelProblemCode.UNKNOWN_STEP,
      message: 'no step "no_such_step"',
    });
    const bad = model.problems.find((p) => p.code === ModelProblemCode.BAD_JSON);
    expect(bad?.file).toBe(join(broken, 'acme-kettle', 'flows', 'truncated.json'));
    expect(formatModelProblem(model.problems.find((p) => p.code === ModelProblemCode.UNKNOWN_STEP)!)).toBe(
      `${flowFile}: steps.intro.next: no step "no_such_step" (UNKNOWN_STEP)`,
    );
  });

  it('reports a missing profile against profile.json and loads no flow unchecked against a device, without throwing', () => {
    const dir = join(fixtures, 'missing-profile', 'orphan');
    const model = loadModel(dir);
    expect(model.profile).toBeUndefined();
    expect(model.problems[0]).toMatchObject({
      file: join(dir, 'profile.json'),
      path: '',
      code: ModelProblemCode.PROFILE_INVALID,
    });
    expect(model.problems[0]?.message).toMatch(/^profile cannot be read: ENOENT/);
    expect(model.flows).toEqual([]);
  });

  it('skips mcu-sim.json when asked (a device has no simulator), and the flows (the simulator needs none)', () => {
    expect(loadModel(join(good, 'acme-kettle'), { simulator: false }).simulator).toBeUndefined();
    const simOnly = loadModel(join(broken, 'acme-kettle'), { flows: false });
    expect(simOnly.problems).toEqual([]);
    expect(simOnly.simulator?.json).toMatchObject({ info: { serial: 'ACME-K-0001' } });
  });
});

describe('loadModels', () => {
  it('indexes profiles and flows across dirs; the first dir that declares a model wins and the duplicate is reported', () => {
    const registry = loadModels([good, broken]);
    expect([...registry.profiles.keys()]).toEqual(['acme-kettle']);
    expect(registry.flows.get('filter-clogged')?.steps['intro']).toMatchObject({ image: 'images/filter.svg' });
    expect(registry.models.map((m) => m.dir)).toEqual([join(good, 'acme-kettle')]);
    expect(registry.problems).toContainEqual(
      expect.objectContaining({
        file: join(broken, 'acme-kettle', 'profile.json'),
        code: ModelProblemCode.DUPLICATE_MODEL,
      }),
    );
  });

  it('accepts a model folder itself as a models dir, and reports a dir that does not exist', () => {
    const missing = join(fixtures, 'no-such-dir');
    const registry = loadModels([join(good, 'acme-kettle'), missing]);
    expect([...registry.profiles.keys()]).toEqual(['acme-kettle']);
    expect(registry.problems).toEqual([
      {
        file: missing,
        path: '',
        code: ModelProblemCode.MODELS_DIR_MISSING,
        message: 'models dir does not exist or is not a folder',
      },
    ]);
  });

  it('skips a folder without profile.json in a folder of models (it is not a model)', () => {
    const registry = loadModels([join(fixtures, 'missing-profile')]);
    expect(registry.models).toEqual([]);
    expect(registry.problems).toEqual([]);
  });

  it('loads the bundled examples with no problems', () => {
    const registry = loadModels([DEFAULT_MODELS_DIR]);
    expect(registry.problems).toEqual([]);
    expect([...registry.profiles.keys()].sort()).toEqual(['coffee-machine', 'wallbox']);
    expect(registry.flows.has('descale')).toBe(true);
  });
});

describe('resolveModelsDirs', () => {
  it('takes the flags, else the colon-separated env value, then the bundled examples; absolute and without repeats', () => {
    expect(existsSync(DEFAULT_MODELS_DIR)).toBe(true);
    expect(resolveModelsDirs(['/a', '/b', '/a'], '/c')).toEqual(['/a', '/b', DEFAULT_MODELS_DIR]);
    expect(resolveModelsDirs([], '/c::/d')).toEqual(['/c', '/d', DEFAULT_MODELS_DIR]);
    expect(resolveModelsDirs([], undefined)).toEqual([DEFAULT_MODELS_DIR]);
    expect(resolveModelsDirs([DEFAULT_MODELS_DIR], undefined)).toEqual([DEFAULT_MODELS_DIR]);
  });

  it('names the first dir that is not a folder', () => {
    expect(missingModelsDir([good, join(fixtures, 'nope'), join(good, 'acme-kettle', 'profile.json')])).toBe(
      join(fixtures, 'nope'),
    );
    expect(missingModelsDir([join(good, 'acme-kettle', 'profile.json')])).toBe(
      join(good, 'acme-kettle', 'profile.json'),
    );
    expect(missingModelsDir([good, DEFAULT_MODELS_DIR])).toBeUndefined();
  });
});
