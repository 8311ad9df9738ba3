import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Black-box tests of `touchpoint flows validate`: the real bin in a child
 * process, real files in a temp dir. They live here, next to the validator
 * tests, because the command is a thin I/O shell around protocol's validator.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'cli', 'bin', 'touchpoint.js');

function touchpoint(args: string[], cwd = root): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-flows-cli-'));
  const model = join(dir, 'coffee-machine');
  await mkdir(join(model, 'flows'), { recursive: true });
  await cp(join(root, 'examples/coffee-machine/profile.json'), join(model, 'profile.json'));
  await cp(join(root, 'examples/coffee-machine/flows/images'), join(model, 'flows/images'), { recursive: true });
  const descale = JSON.parse(await readFile(join(root, 'examples/coffee-machine/flows/descale.json'), 'utf8')) as {
    steps: Record<string, Record<string, unknown>>;
  };
  descale.steps['run_descale']!['verify'] = '!("E05" in errors) && sensors.scale_levle < 5';
  descale.steps['check_water']!['onFalse'] = 'refil';
  await writeFile(join(model, 'flows', 'descale.json'), JSON.stringify(descale, null, 2));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('touchpoint flows validate', () => {
  it('passes on the shipped examples (every model) with exit 0', async () => {
    const result = await touchpoint(['flows', 'validate', 'examples']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('coffee-machine: 5 valid flows');
    expect(result.stdout).toContain('wallbox: 4 valid flows');
    expect(result.stdout).toContain('ok: 9 flows, no problems');
  });

  it('reports every problem with file and JSON path and exits 1', async () => {
    const result = await touchpoint(['flows', 'validate', join(dir, 'coffee-machine')], dir);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toContain(
      'coffee-machine/flows/descale.json: steps.run_descale.verify: column 31: unknown sensor "scale_levle"; profile "coffee-machine" has machine_state, water_tank_level, bean_hopper_level, boiler_temp, scale_level, drip_tray_full, grinder_current, grind_size, brew_strength, milk_system_clean, cups_since_descale (UNKNOWN_SENSOR)',
    );
    expect(lines).toContain(
      'coffee-machine/flows/descale.json: steps.check_water.onFalse: no step "refil" (UNKNOWN_STEP)',
    );
    expect(lines).toContain(
      'coffee-machine/flows/descale.json: steps.refill: no path from start step "intro" reaches this step (UNREACHABLE)',
    );
    expect(lines.at(-1)).toBe('3 problems found');
  });

  it('prints JSON with --json', async () => {
    const result = await touchpoint(['flows', 'validate', '--json', dir], dir);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; problems: { path: string; code: string }[] };
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => `${p.code} ${p.path}`)).toEqual([
      'UNKNOWN_STEP steps.check_water.onFalse',
      'UNKNOWN_SENSOR steps.run_descale.verify',
      'UNREACHABLE steps.refill',
    ]);
  });

  it('exits 2 on usage errors', async () => {
    expect((await touchpoint(['flows', 'validate'])).code).toBe(2);
    expect((await touchpoint(['flows', 'validate', join(dir, 'missing')])).code).toBe(2);
    const bad = await touchpoint(['flows', 'validate', '--frobnicate', 'examples']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Usage: touchpoint flows validate');
  });
});
