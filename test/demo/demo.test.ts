import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { ConsolePage, deepText, launchChromium } from '../console/helpers.js';
import { alive, descendants } from './process-tree.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'tp-demo-'));
const makerDir = mkdtempSync(join(tmpdir(), 'tp-maker-'));
const ARTIFACTS = join(root, 'test-artifacts', 'e2e');
const WAIT = { timeout: 30_000, interval: 100 };
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(makerDir, { recursive: true, force: true });
});

/** One Chromium for the file, started on first use. */
async function chromium(): Promise<Browser> {
  browser ??= await launchChromium();
  return browser;
}

/** `touchpoint ...` as a user runs it (the bin through node), with its exit code and output. */
async function touchpoint(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(root, 'cli', 'bin', 'touchpoint.js'), ...args],
      { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } },
    );
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** Logs into the demo's console with the printed one-time password; every device shows online in the fleet view. */
async function expectFleetOnline(demo: Demo, deviceIds: string[], shotName: string): Promise<void> {
  if (!demo.password) throw new Error(`no one-time password printed:\n${demo.output()}`);
  const c = await ConsolePage.open(await chromium(), demo.consoleUrl.replace(/\/$/, ''));
  try {
    // The printed password is one-time: the console asks for the admin's own before anything else.
    await c.loginFirstTime('admin', demo.password, `${demo.password}-own`);
    await c.gotoFleet();
    for (const id of deviceIds) {
      await c.searchFleet(id);
      await expect.poll(() => deepText(c.fleetRow(id)), WAIT).toContain('Online');
    }
    await c.searchFleet('');
    mkdirSync(ARTIFACTS, { recursive: true });
    await c.page.screenshot({ path: join(ARTIFACTS, `${shotName}.png`) });
    expect(c.pageErrors).toEqual([]);
  } finally {
    await c.close();
  }
}

/** One GET of the console API as a staff member, the way the console's mirror reads it. */
async function apiGet(
  consoleUrl: string,
  login: { name: string; password: string },
  path: string,
): Promise<{ status: number; body: unknown }> {
  const base = consoleUrl.replace(/\/$/, '');
  const res = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(login),
  });
  if (res.status !== 200) throw new Error(`login as ${login.name} failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')?.split(';')[0] ?? '';
  const got = await fetch(`${base}${path}`, { headers: { cookie } });
  return { status: got.status, body: (await got.json()) as unknown };
}

/** Opens a touchscreen URL at the device's 800x480: the home screen shows the device status and help topics. */
async function openTouchscreen(url: string, shotName: string): Promise<Page> {
  const context = await (await chromium()).newContext({ viewport: { width: 800, height: 480 }, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(url);
  await page.getByRole('heading', { name: 'Device status' }).waitFor(WAIT);
  await page.getByRole('heading', { name: 'Help topics' }).waitFor(WAIT);
  await page.locator('button[data-flow]').first().waitFor(WAIT);
  await page.screenshot({ path: join(ARTIFACTS, `${shotName}.png`) });
  return page;
}

interface Demo {
  proc: ChildProcessWithoutNullStreams;
  output: () => string;
  consoleUrl: string;
  password: string | undefined;
  touchscreens: { url: string; deviceId: string }[];
}

/** Runs the README's run command (`npm start`), on free ports and a temp data dir, and waits for the printed URLs. */
async function startDemo(extra: string[] = [], dir = dataDir, devices = 2): Promise<Demo> {
  const proc = spawn(
    'npm',
    [
      'start',
      '--',
      '--data-dir',
      dir,
      '--mqtt-port',
      '0',
      '--http-port',
      '0',
      '--ui-port',
      '0',
      '--devices',
      String(devices),
      ...extra,
    ],
    { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } },
  );
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo not ready in 60 s:\n${out}`)), 60_000);
    proc.once('exit', (code) => reject(new Error(`demo exited with ${code}:\n${out}`)));
    proc.stdout.on('data', () => {
      if (out.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const consoleUrl = /Console:\s+(http:\/\/\S+)/.exec(out)?.[1];
  if (!consoleUrl) throw new Error(`no console URL in:\n${out}`);
  return {
    proc,
    output: () => out,
    consoleUrl,
    password: /Login:\s+admin \/ (\S+)/.exec(out)?.[1],
    touchscreens: [...out.matchAll(/Touchscreen:\s+(http:\/\/\S+)\s+(\S+)/g)].map((m) => ({
      url: m[1]!,
      deviceId: m[2]!,
    })),
  };
}

/** Sends Ctrl-C and asserts that the demo said it stopped and that no process of its tree is left. */
async function stopDemo(demo: Demo): Promise<void> {
  const tree = descendants(demo.proc.pid!);
  const exited = new Promise<void>((resolve) => demo.proc.once('exit', () => resolve()));
  // Ctrl-C in a terminal signals the whole foreground process group.
  for (const pid of [demo.proc.pid!, ...tree]) {
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // already gone
    }
  }
  await exited;
  await new Promise((r) => setTimeout(r, 500));
  expect(demo.output()).toContain('stopping simulated devices and broker');
  expect(tree.filter((pid) => alive(pid))).toEqual([]);
}

describe('the embedded demo (npm start)', () => {
  it('starts everything, prints the URLs and credentials, serves the touchscreens, and stops cleanly with no process left', async () => {
    const demo = await startDemo();
    try {
      expect(demo.password).toMatch(/^\S{20}$/);
      expect(demo.touchscreens.map((t) => t.deviceId)).toEqual(['coffee-machine-01', 'wallbox-01']);
      const health = await fetch(new URL('/healthz', demo.consoleUrl));
      expect(health.status).toBe(200);
      for (const t of demo.touchscreens) expect((await fetch(t.url)).status).toBe(200);
      expect(descendants(demo.proc.pid!).length).toBeGreaterThan(1);

      // A new user in the browser: the printed password logs in, the simulated devices are online, a touchscreen renders.
      await expectFleetOnline(demo, ['coffee-machine-01', 'wallbox-01'], 'demo-fleet');
      const touch = await openTouchscreen(demo.touchscreens[0]!.url, 'demo-touchscreen');
      expect(await touch.locator('button[data-flow]').count()).toBeGreaterThan(1);
      await touch.context().close();
    } finally {
      await stopDemo(demo);
    }
  }, 180_000);

  it('reuses the data on a second start', async () => {
    const demo = await startDemo();
    try {
      expect(demo.password).toBeUndefined();
      expect(demo.output()).toContain('one-time password was printed on the first start');
    } finally {
      await stopDemo(demo);
    }
  });

  it('scaffolds a new model that validates and runs in the demo as a simulated device', async () => {
    const init = await touchpoint('device', 'init', 'heat-pump', '--dir', makerDir);
    expect(init).toMatchObject({ code: 0 });
    const validate = await touchpoint('flows', 'validate', join(makerDir, 'heat-pump'));
    expect(validate.out).toContain('heat-pump: 1 valid flow');
    expect(validate.code).toBe(0);

    // Its own data dir: a first start, so the one-time password is printed again.
    const demo = await startDemo(['--models-dir', makerDir, '--model', 'heat-pump'], join(makerDir, 'data'), 0);
    try {
      expect(demo.touchscreens.map((t) => t.deviceId)).toEqual(['heat-pump-01']);
      await expectFleetOnline(demo, ['heat-pump-01'], 'demo-new-model-fleet');
      // The console's live mirror shows the model's steps from /api/flows/:id, which answered 404 for a model
      // outside examples/ before the broker read flows and profiles from one registry (issue 14).
      const flow = await apiGet(
        demo.consoleUrl,
        { name: 'admin', password: `${demo.password!}-own` },
        '/api/flows/filter-clogged',
      );
      expect(flow.status).toBe(200);
      expect(flow.body).toMatchObject({ flow: { id: 'filter-clogged', models: ['heat-pump'] } });
      const touch = await openTouchscreen(demo.touchscreens[0]!.url, 'demo-new-model-touchscreen');
      expect(await touch.locator('button[data-flow="filter-clogged"]').count()).toBe(1);
      await touch.context().close();
    } finally {
      await stopDemo(demo);
    }
  }, 180_000);
});
