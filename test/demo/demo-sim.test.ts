import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsolePage, StaffApi, deepText, launchChromium } from '../console/helpers.js';
import { docScreenshot } from '../helpers/doc-screenshot.js';

/**
 * Issue 16, "a demo you can drive": a presenter makes a simulated device misbehave on purpose, from
 * the CLI (`touchpoint demo sim`) and from the console's Simulator panel, which only simulated devices
 * have. The real demo process (broker, console, a simulated coffee machine), the real CLI binary and
 * Chromium; the errors travel virtual MCU -> bridge -> agent -> MQTT -> fleet -> console.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'cli', 'bin', 'touchpoint.js');
const dataDir = mkdtempSync(join(tmpdir(), 'tp-demo-sim-'));
const WAIT = { timeout: 30_000, interval: 100 };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function touchpoint(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const sim = (...args: string[]): Promise<Run> => touchpoint(['demo', 'sim', ...args, '--data-dir', dataDir]);

let demo: ChildProcessWithoutNullStreams | undefined;
let out = '';
let consoleUrl = '';
let password = '';
let browser: Browser | undefined;

beforeAll(async () => {
  // A device that is not simulated: provisioned before the demo, never started by it.
  const added = await touchpoint(['device', 'add', 'plain-01', '--model', 'coffee-machine', '--data-dir', dataDir]);
  expect(added.code, added.stderr).toBe(0);
  demo = spawn(
    process.execPath,
    [bin, 'demo', '--data-dir', dataDir, '--mqtt-port', '0', '--http-port', '0', '--ui-port', '0'].concat([
      '--devices',
      '1',
      '--serial',
      'memory',
      '--faults-per-minute',
      '0',
    ]),
    { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } },
  );
  demo.stdout.on('data', (d: Buffer) => (out += d.toString()));
  demo.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo not ready in 90 s:\n${out}`)), 90_000);
    demo!.once('exit', (code) => reject(new Error(`demo exited with ${code}:\n${out}`)));
    demo!.stdout.on('data', () => {
      if (out.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  consoleUrl = /Console:\s+(http:\/\/\S+)/.exec(out)![1]!.replace(/\/$/, '');
  // The printed password is one-time: replace it once, so each test can sign in on its own.
  password = await new StaffApi(consoleUrl).loginReady('admin', /Login:\s+admin \/ (\S+)/.exec(out)![1]!);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (demo && demo.exitCode === null) {
    const exited = new Promise<void>((resolve) => demo!.once('exit', () => resolve()));
    demo.kill('SIGINT');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a demo you can drive (issue 16)', () => {
  it("prints each touchscreen URL as the device's 800x480 kiosk screen", () => {
    expect(out).toMatch(/Kiosk screens: each URL is a device's own touchscreen .* made for 800×480/);
    expect(out).toMatch(
      /Touchscreen:\s+http:\/\/127\.0\.0\.1:\d+\/#\S+\s+coffee-machine-01\s+\(kiosk screen of this coffee-machine, 800×480\)/,
    );
    expect(out).toContain('Simulator:    npx touchpoint demo sim DEVICE');
  });

  it('touchpoint demo sim raises and clears an error, applies a scenario and takes the device offline and back', async () => {
    // Only the demo's user reaches the control socket.
    expect(statSync(join(dataDir, 'demo', 'sim.sock')).mode & 0o777).toBe(0o600);

    const raised = await sim('coffee-machine-01', 'raise', 'E03', '--json');
    expect(raised.code, raised.stderr).toBe(0);
    expect((JSON.parse(raised.stdout) as { errors: string[] }).errors).toContain('E03');
    const cleared = await sim('coffee-machine-01', 'clear', 'E03');
    expect(cleared.code).toBe(0);
    expect(cleared.stdout).toMatch(/errors:\s+(?!.*E03)/);

    const empty = await sim('coffee-machine-01', 'scenario', 'empty_tank', '--json');
    expect(empty.code).toBe(0);
    expect((JSON.parse(empty.stdout) as { errors: string[] }).errors).toContain('E01');
    expect((await sim('coffee-machine-01', 'scenario', 'refill_tank')).code).toBe(0);

    const api = new StaffApi(consoleUrl);
    await api.login('admin', password);
    const online = async () =>
      ((await api.get('/api/devices/coffee-machine-01')).body as { device: { online: boolean } }).device.online;
    const offline = await sim('coffee-machine-01', 'offline');
    expect(offline.code).toBe(0);
    expect(offline.stdout).toContain('network:   offline');
    await expect.poll(online, WAIT).toBe(false);
    expect((await sim('coffee-machine-01', 'online')).code).toBe(0);
    await expect.poll(online, WAIT).toBe(true);

    // The serial cable pulled for 10 s (long enough to be seen on a loaded machine):
    // the fleet sees the MCU link go down, then come back.
    const link = async () =>
      ((await api.get('/api/devices/coffee-machine-01')).body as { device: { link: string | null } }).device.link;
    const unplugged = await sim('coffee-machine-01', 'unplug-serial', '10');
    expect(unplugged.code).toBe(0);
    expect(unplugged.stdout).toMatch(/serial:\s+unplugged until/);
    await expect.poll(link, WAIT).toBe('down');
    await expect.poll(link, WAIT).toBe('up');

    // Every control is audited, as the operator who owns the demo.
    const audit = (await api.get('/api/audit?action=simulator.control&limit=50')).body as {
      items: { actor: string; deviceId: string | null; outcome: string; detail: { control?: string } | null }[];
    };
    expect(audit.items.map((e) => e.detail?.control)).toEqual(
      expect.arrayContaining(['raise', 'clear', 'scenario', 'offline', 'online', 'unplug-serial']),
    );
    expect(audit.items.every((e) => e.actor.startsWith('local:') && e.deviceId === 'coffee-machine-01')).toBe(true);
  }, 120_000);

  it('refuses what cannot apply with exit 1 and a misused command with exit 2', async () => {
    const code = await sim('coffee-machine-01', 'raise', 'E99');
    expect(code.code).toBe(1);
    expect(code.stderr).toContain('coffee-machine has no error E99');
    const real = await sim('plain-01', 'raise', 'E03');
    expect(real.code).toBe(1);
    expect(real.stderr).toContain('device plain-01 is not a simulated device (NOT_FOUND)');
    const none = await touchpoint(['demo', 'sim', 'coffee-machine-01', 'status', '--data-dir', join(dataDir, 'x')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no demo is running with data dir');

    const missing = await sim('coffee-machine-01', 'raise');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('raise needs an error code');
    expect(missing.stderr).toContain('Usage: touchpoint demo sim DEVICE CONTROL');
    const unknown = await sim('coffee-machine-01', 'explode');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown control "explode"');
    const seconds = await sim('coffee-machine-01', 'unplug-serial', 'soon');
    expect(seconds.code).toBe(2);
  }, 120_000);

  it('the Simulator panel raises an error the device view then shows, clears it, and is absent for a real device', async () => {
    browser = await launchChromium();
    const c = await ConsolePage.open(browser, consoleUrl);
    try {
      await c.login('admin', password);
      await c.gotoDevice('coffee-machine-01');
      const panel = c.page.locator('tpc-simulator-panel');
      await panel.getByRole('heading', { name: 'Simulator' }).waitFor(WAIT);
      const errorCodes: Locator = c.page.locator('tpc-device-panel ul[aria-label="Active error codes"]');
      await expect.poll(() => deepText(errorCodes), WAIT).not.toContain('E07');

      await panel.locator('select#sim-code').selectOption('E07');
      await panel.locator('button[data-sim=raise]').click();
      // The device view (Diagnostics) shows the error the MCU raised, with its label.
      await expect.poll(() => deepText(errorCodes), WAIT).toContain('E07');
      await expect.poll(() => deepText(errorCodes), WAIT).toContain('Boiler overheated');
      await c.screenshot('simulator-panel');
      // The docs' picture of the panel (docs/console.md), written only on request.
      await docScreenshot(panel.locator('section'), 'console-simulator-panel.png');

      await panel.locator('button[data-sim=clear][data-code=E07]').click();
      await expect.poll(() => deepText(errorCodes), WAIT).not.toContain('E07');

      // A device the demo does not simulate: the API answers 404 and the panel renders nothing.
      const answered = c.page.waitForResponse((r) => r.url().endsWith('/api/devices/plain-01/simulator'));
      await c.gotoDevice('plain-01');
      expect((await answered).status()).toBe(404);
      await expect.poll(() => c.page.locator('tpc-simulator-panel').getAttribute('hidden'), WAIT).toBe('');
      expect(await c.page.locator('tpc-simulator-panel section').count()).toBe(0);
      expect(c.pageErrors).toEqual([]);
    } finally {
      await c.close();
    }
  }, 120_000);
});
