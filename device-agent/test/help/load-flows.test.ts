import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MODELS_DIR } from '@touchpoint/models';
import { FlowProblemCode } from '@touchpoint/protocol';
import { loadFlows } from '../../src/help/index.js';

const coffeeDir = join(DEFAULT_MODELS_DIR, 'coffee-machine');

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-flows-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadFlows', () => {
  it('loads every example flow of a model with its profile', async () => {
    const loaded = await loadFlows(coffeeDir);
    expect(loaded.problems).toEqual([]);
    expect(loaded.profile?.model).toBe('coffee-machine');
    expect(loaded.flows.map((f) => f.id)).toEqual([
      'coffee-too-weak',
      'descale',
      'grinder-jammed',
      'milk-system-cleaning',
      'water-tank-empty',
    ]);
    expect(loaded.flowsDir).toBe(join(coffeeDir, 'flows'));
  });

  it('leaves out broken files and reports them with file and path', async () => {
    await cp(join(coffeeDir, 'profile.json'), join(dir, 'profile.json'));
    await mkdir(join(dir, 'flows'));
    await cp(join(coffeeDir, 'flows', 'water-tank-empty.json'), join(dir, 'flows', 'water-tank-empty.json'));
    // descale without its images folder: the image check runs against this folder.
    await cp(join(coffeeDir, 'flows', 'descale.json'), join(dir, 'flows', 'descale.json'));
    await writeFile(join(dir, 'flows', 'broken.json'), '{ "id": ');
    await writeFile(join(dir, 'flows', 'notes.txt'), 'not a flow');

    const loaded = await loadFlows(dir);
    expect(loaded.flows.map((f) => f.id)).toEqual([]);
    const summary = loaded.problems.map((p) => `${p.file.slice(dir.length + 1)} ${p.path} ${p.code}`);
    expect(summary).toContain(`flows/broken.json  ${FlowProblemCode.BAD_JSON}`);
    expect(summary).toContain(`flows/descale.json steps.intro.image ${FlowProblemCode.IMAGE_MISSING}`);
    expect(summary).toContain(`flows/descale.json steps.refill.image ${FlowProblemCode.IMAGE_MISSING}`);
    expect(summary).toContain(`flows/water-tank-empty.json steps.fill.image ${FlowProblemCode.IMAGE_MISSING}`);

    await cp(join(coffeeDir, 'flows', 'images'), join(dir, 'flows', 'images'), { recursive: true });
    const again = await loadFlows(dir);
    expect(again.flows.map((f) => f.id)).toEqual(['descale', 'water-tank-empty']);
    expect(again.problems.map((p) => p.code)).toEqual([FlowProblemCode.BAD_JSON]);
  });

  it('loads nothing when the profile is missing, and says so', async () => {
    await mkdir(join(dir, 'flows'));
    await cp(join(coffeeDir, 'flows', 'water-tank-empty.json'), join(dir, 'flows', 'water-tank-empty.json'));
    const loaded = await loadFlows(dir);
    expect(loaded.flows).toEqual([]);
    expect(loaded.problems[0]).toMatchObject({
      file: join(dir, 'profile.json'),
      code: FlowProblemCode.PROFILE_INVALID,
    });
  });

  it('a model without a flows folder has no flows and no problems', async () => {
    await cp(join(coffeeDir, 'profile.json'), join(dir, 'profile.json'));
    const loaded = await loadFlows(dir);
    expect(loaded).toMatchObject({ flows: [], problems: [] });
  });
});
