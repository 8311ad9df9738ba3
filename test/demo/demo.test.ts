import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { alive, descendants } from './process-tree.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'tp-demo-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Demo {
  proc: ChildProcessWithoutNullStreams;
  output: () => string;
  consoleUrl: string;
  password: string | undefined;
  touchscreens: { url: string; deviceId: string }[];
}

/** Runs the README's run command (`npm start`), on free ports and a temp data dir, and waits for the printed URLs. */
async function startDemo(extra: string[] = []): Promise<Demo> {
  const proc = spawn('npm', ['start', '--', '--data-dir', dataDir, '--mqtt-port', '0', '--http-port', '0', '--ui-port', '0', '--devices', '2', ...extra], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } });
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
    touchscreens: [...out.matchAll(/Touchscreen:\s+(http:\/\/\S+)\s+(\S+)/g)].map((m) => ({ url: m[1]!, deviceId: m[2]! })),
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
  expect(tree.filter(alive)).toEqual([]);
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
    } finally {
      await stopDemo(demo);
    }
  });

  it('reuses the data on a second start', async () => {
    const demo = await startDemo();
    try {
      expect(demo.password).toBeUndefined();
      expect(demo.output()).toContain('one-time password was printed on the first start');
    } finally {
      await stopDemo(demo);
    }
  });
});
