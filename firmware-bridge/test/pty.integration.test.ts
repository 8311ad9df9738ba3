import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODELS_DIR } from '@touchpoint/models';
import { ErrorCode, type LinkState } from '@touchpoint/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createBridge, type FirmwareBridge, type McuEvent } from '../src/index.js';
import { openPtyPair, type PtyPair } from '../sim/index.js';
import { model, waitFor } from './helpers.js';

const simMain = fileURLToPath(new URL('../sim/main.ts', import.meta.url));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The virtual MCU as its own process (`node --import tsx sim/main.ts`), attached to one end of a pty pair. */
async function spawnSim(
  args: string[],
): Promise<{ child: ChildProcess; devicePath: string; control(line: string): Promise<string> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', simMain, '--profile', join(DEFAULT_MODELS_DIR, 'coffee-machine'), ...args],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  const lines = createInterface({ input: child.stdout! });
  const queue: string[] = [];
  lines.on('line', (line) => queue.push(line));
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  await waitFor(() => queue.some((l) => l.startsWith('device-path: ')) || child.exitCode !== null, 15_000, 'sim ready');
  const ready = queue.find((l) => l.startsWith('device-path: '));
  if (!ready) throw new Error(`sim did not start: ${stderr}`);
  queue.length = 0;
  return {
    child,
    devicePath: ready.slice('device-path: '.length),
    async control(line) {
      child.stdin!.write(`${line}\n`);
      await waitFor(() => queue.length > 0, 10_000, `reply to "${line}"`);
      return queue.shift() as string;
    },
  };
}

function bridgeOn(path: string): { bridge: FirmwareBridge; links: LinkState[]; events: McuEvent[] } {
  const { profile } = model('coffee-machine');
  const bridge = createBridge({
    path,
    profile,
    requestTimeoutMs: 300,
    retries: 2,
    reopen: { initialDelayMs: 50, maxDelayMs: 200, pollIntervalMs: 100 },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const links: LinkState[] = [];
  const events: McuEvent[] = [];
  bridge.on('link', (state) => links.push(state));
  bridge.on('event', (e) => events.push(e));
  cleanups.push(() => bridge.close());
  return { bridge, links, events };
}

describe('bridge <-> virtual MCU process over a real socat pty pair', () => {
  it('reads sensors, runs descale with progress and completion, and sees the state change', async () => {
    const sim = await spawnSim(['--pty', '--speed', '4']);
    const { bridge, events } = bridgeOn(sim.devicePath);
    await bridge.open();
    expect(bridge.link).toBe('up');
    const sensors = await bridge.readSensors();
    expect(sensors.machine_state).toBe('idle');
    expect(sensors.scale_level).toBeGreaterThan(80);
    const progress: Array<{ percent: number; message?: string }> = [];
    await waitFor(() => bridge.stats.framesIn >= 2, 2000, 'subscription answered');
    const outcome = await bridge.runAction('descale', { intensity: 'normal' }, { onProgress: (e) => progress.push(e) });
    expect(outcome.ok).toBe(true);
    expect(progress[0]).toEqual({ percent: 0, message: 'Heating water' });
    expect(progress.at(-1)?.percent).toBe(100);
    expect(events).toContainEqual({ type: 'action.done', action: 'descale', ok: true });
    expect(events).toContainEqual({ type: 'error.cleared', code: 'E05' });
    expect((await bridge.readSensors()).scale_level).toBe(0);

    // Physical change through the process's control interface arrives as events.
    expect(await sim.control('raise E03')).toBe('ok raise E03');
    await waitFor(() => events.some((e) => e.type === 'error.raised' && e.code === 'E03'), 3000, 'E03 event');
    expect(await bridge.readErrors()).toContain('E03');
  });

  it('reports down then up when the pty is unplugged and replugged; no request hangs past its timeout', async () => {
    const pair = await openPtyPair();
    const { a, b } = pair;
    let current: PtyPair = pair;
    cleanups.push(async () => {
      await current.kill();
      await pair.close();
    });
    const sim = await spawnSim(['--port', b]);
    const { bridge, links } = bridgeOn(a);
    await bridge.open();
    expect((await bridge.getInfo()).model).toBe('coffee-machine');

    // Unplug: kill socat, both pty devices vanish.
    await current.kill();
    await waitFor(() => links.includes('down'), 3000, 'link down');
    // Fails fast instead of waiting for a timeout.
    await expect(bridge.readSensors()).rejects.toMatchObject({ code: ErrorCode.LINK_DOWN });

    // Replug with the same paths; the sim process reattaches by itself, the bridge reopens with backoff.
    current = await openPtyPair({ a, b });
    await waitFor(() => bridge.link === 'up', 5000, 'link up again');
    const sensors = await bridge.readSensors();
    expect(sensors.machine_state).toBe('idle');
    expect(links.slice(links.indexOf('down'))).toContain('up');
    expect(bridge.stats.reopenCount).toBe(1);
    expect(sim.child.exitCode).toBeNull(); // the same sim process reattached by itself
  });

  it('recovers when the simulator process is killed and restarted on the same pty', async () => {
    const pair = await openPtyPair();
    cleanups.push(() => pair.close());
    const first = await spawnSim(['--port', pair.b]);
    const { bridge } = bridgeOn(pair.a);
    await bridge.open();
    expect((await bridge.getInfo()).serial).toBe('CM-2024-000123');
    first.child.kill('SIGKILL');
    // With the MCU dead the port stays open, so requests time out (bounded), never hang.
    await expect(bridge.getInfo()).rejects.toMatchObject({ code: ErrorCode.MCU_TIMEOUT });
    await spawnSim(['--port', pair.b]);
    expect((await bridge.getInfo()).model).toBe('coffee-machine');
  });
});
