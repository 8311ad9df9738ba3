import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `touchpoint flows validate FILE --profile DIR` and the profile's precondition check (issue 16),
 * through the real binary in a child process on real files.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'cli', 'bin', 'touchpoint.js');

function touchpoint(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-flows-file-'));
  // A good model, and a copy whose descale precondition reads a sensor the profile does not declare.
  await cp(join(root, 'examples/coffee-machine'), join(dir, 'coffee-machine'), { recursive: true });
  await cp(join(root, 'examples/coffee-machine'), join(dir, 'typo'), { recursive: true });
  const profile = JSON.parse(await readFile(join(dir, 'typo', 'profile.json'), 'utf8')) as {
    actions: { name: string; precondition?: string }[];
  };
  const descale = profile.actions.findIndex((a) => a.name === 'descale');
  profile.actions[descale]!.precondition = "sensors.device_state == 'idle'";
  const rinse = profile.actions.findIndex((a) => a.name === 'rinse');
  profile.actions[rinse]!.precondition = 'sensors.drip_tray_full == 0';
  await writeFile(join(dir, 'typo', 'profile.json'), JSON.stringify(profile, null, 2));
  // A loose folder of flow files: one good, one broken; validating the good file alone must not read the other.
  await mkdir(join(dir, 'loose'));
  await cp(join(root, 'examples/coffee-machine/flows/descale.json'), join(dir, 'loose', 'descale.json'));
  await cp(join(root, 'examples/coffee-machine/flows/images'), join(dir, 'loose', 'images'), { recursive: true });
  await writeFile(join(dir, 'loose', 'broken.json'), '{ "id": ');
  await writeFile(join(dir, 'loose', 'notes.txt'), 'not a flow');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('touchpoint flows validate FILE --profile DIR', () => {
  it('validates one flow file against the profile and exits 0', async () => {
    const result = await touchpoint(
      ['flows', 'validate', join('loose', 'descale.json'), '--profile', 'coffee-machine'],
      dir,
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('coffee-machine: 1 valid flow (descale)');
    expect(result.stdout).toContain('ok: 1 flows, no problems');
    expect(result.code).toBe(0);
  }, 60_000);

  it('reports the problems of that file only, with --json', async () => {
    const broken = await touchpoint(
      ['flows', 'validate', '--json', join('loose', 'broken.json'), '--profile', 'coffee-machine'],
      dir,
    );
    expect(broken.code).toBe(1);
    const report = JSON.parse(broken.stdout) as { ok: boolean; problems: { file: string; code: string }[] };
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => `${p.code} ${p.file}`)).toEqual([`BAD_JSON ${join('loose', 'broken.json')}`]);
  }, 60_000);

  it("reports a profile precondition's unknown sensor and wrong type at its JSON path and exits 1", async () => {
    const result = await touchpoint(['flows', 'validate', join('loose', 'descale.json'), '--profile', 'typo'], dir);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^typo\/profile\.json: actions\.\d+\.precondition: column 9: unknown sensor "device_state"; profile "coffee-machine" has machine_state, .* \(UNKNOWN_SENSOR\)$/,
    );
    expect(lines[1]).toMatch(
      /^typo\/profile\.json: actions\.\d+\.precondition: column \d+: .*bool.* \(EXPRESSION_INVALID\)$/,
    );
    expect(lines.at(-1)).toBe('2 problems found');
  }, 60_000);

  it('the whole model folder reports the same precondition problems', async () => {
    const result = await touchpoint(['flows', 'validate', 'typo'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('(UNKNOWN_SENSOR)');
    expect(result.stdout.trim().split('\n').at(-1)).toBe('2 problems found');
  }, 60_000);

  it('exits 2 with the usage when FILE comes without --profile, is not JSON or does not exist', async () => {
    const [noProfile, notJson, missing, badProfile] = await Promise.all([
      touchpoint(['flows', 'validate', join('loose', 'descale.json')], dir),
      touchpoint(['flows', 'validate', join('loose', 'notes.txt'), '--profile', 'coffee-machine'], dir),
      touchpoint(['flows', 'validate', join('loose', 'nope.json'), '--profile', 'coffee-machine'], dir),
      touchpoint(['flows', 'validate', join('loose', 'descale.json'), '--profile', 'loose'], dir),
    ]);
    expect(noProfile.code).toBe(2);
    expect(noProfile.stderr).toContain('a single flow file (*.json) needs --profile DIR');
    expect(noProfile.stderr).toContain('Usage: touchpoint flows validate DIR|FILE');
    expect(noProfile.stdout).toBe('');

    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('needs --profile DIR');

    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('is not a folder or a flow file (NOT_FOUND)');

    expect(badProfile.code).toBe(2);
    expect(badProfile.stderr).toContain('profile.json does not exist (NOT_FOUND)');
  }, 90_000);
});
