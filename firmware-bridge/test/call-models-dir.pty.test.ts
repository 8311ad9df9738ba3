import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODELS_DIR } from '@touchpoint/models';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from './helpers.js';

// Issue 14, the model registry: `bridge call` without --profile looked the reported model up in `examples/`
// relative to the working directory, so a maker's model (or any other cwd) was never found.

const simMain = fileURLToPath(new URL('../sim/main.ts', import.meta.url));
const touchpoint = fileURLToPath(new URL('../../cli/bin/touchpoint.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'tp-call-models-'));
let sim: ChildProcess | undefined;

afterAll(async () => {
  if (sim && sim.exitCode === null && sim.signalCode === null) {
    const exited = new Promise((resolve) => sim!.once('exit', resolve));
    sim.kill('SIGTERM');
    await exited;
  }
  rmSync(scratch, { recursive: true, force: true });
});

describe('touchpoint bridge call without --profile', () => {
  it('finds the model the MCU reports in TP_MODELS_DIR, from any working directory', async () => {
    const dir = join(scratch, 'models', 'maker-box');
    cpSync(join(DEFAULT_MODELS_DIR, 'coffee-machine'), dir, { recursive: true });
    const profile = JSON.parse(readFileSync(join(dir, 'profile.json'), 'utf8')) as { model: string };
    writeFileSync(join(dir, 'profile.json'), JSON.stringify({ ...profile, model: 'maker-box' }));

    sim = spawn(process.execPath, ['--import', 'tsx', simMain, '--profile', dir, '--pty'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    createInterface({ input: sim.stdout! }).on('line', (line) => lines.push(line));
    let stderr = '';
    sim.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitFor(
      () => lines.some((l) => l.startsWith('device-path: ')) || sim!.exitCode !== null,
      15_000,
      'sim ready',
    );
    const devicePath = lines.find((l) => l.startsWith('device-path: '))?.slice('device-path: '.length);
    if (!devicePath) throw new Error(`sim did not start: ${stderr}`);

    const call = (env: Record<string, string>) =>
      spawnSync(process.execPath, [touchpoint, 'bridge', 'call', '--port', devicePath, 'sensors'], {
        cwd: scratch,
        encoding: 'utf8',
        env: { ...process.env, ...env },
        timeout: 30_000,
      });
    const found = call({ TP_MODELS_DIR: join(scratch, 'models') });
    expect(found.stderr).toBe('');
    expect(found.status).toBe(0);
    expect(JSON.parse(found.stdout)).toHaveProperty('water_tank_level');

    const missing = call({ TP_MODELS_DIR: '' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('MCU reports model "maker-box" but no valid profile of it is in');
  }, 60_000);
});
