import { mkdtemp, readFile, rm, writeFile, mkdir, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODELS_DIR } from '@touchpoint/models';
import { header, type HelpCaseState, type HelpFlow } from '@touchpoint/protocol';
import type { McuBridge } from '../../src/bridge/mcu-bridge.js';
import { createBridgePort } from '../../src/extensions/help-session/bridge-port.js';
import { CaseTracker } from '../../src/extensions/help-session/case-tracker.js';
import { ensureUiBuilt } from '../../src/extensions/help-session/ensure-ui-built.js';
import { offersFor } from '../../src/extensions/help-session/offers.js';
import { loadFlows } from '../../src/help/load-flows.js';
import { silentLogger } from '../../src/logger.js';
import { loadProfile } from '../../src/profile-loader.js';

const MODEL_DIR = join(DEFAULT_MODELS_DIR, 'coffee-machine');
const profile = loadProfile(MODEL_DIR);

describe('CaseTracker', () => {
  it('goes queued -> sending -> sent -> fleet status, ignoring other cases', () => {
    const seen: (HelpCaseState | null)[] = [];
    const tracker = new CaseTracker((s) => seen.push(s));
    tracker.opened('case-1', 'msg-1', false, 1000);
    expect(tracker.state).toMatchObject({ delivery: 'queued', status: null, openedAt: 1000 });
    tracker.connection(true);
    expect(tracker.state?.delivery).toBe('sending');
    tracker.connection(false);
    expect(tracker.state?.delivery).toBe('queued');
    tracker.delivered('another-message');
    expect(tracker.state?.delivery).toBe('queued');
    tracker.delivered('msg-1');
    expect(tracker.state?.delivery).toBe('sent');
    tracker.connection(false); // once sent, a disconnect does not un-send it
    expect(tracker.state?.delivery).toBe('sent');
    tracker.status({ ...header(), caseId: 'old-case', status: 'resolved' });
    expect(tracker.state?.status).toBeNull();
    tracker.status({ ...header(), caseId: 'case-1', status: 'claimed', agentName: 'Sam' });
    expect(tracker.state).toMatchObject({ status: 'claimed', agentName: 'Sam' });
    tracker.status({ ...header(), caseId: 'case-1', status: 'resolved' });
    expect(tracker.state).toMatchObject({ status: 'resolved', agentName: 'Sam' });
    tracker.dismiss();
    expect(tracker.state).toBeNull();
    expect(seen.at(-1)).toBeNull();
  });
  it('takes a status that overtakes the PUBACK as proof of delivery', () => {
    const tracker = new CaseTracker(() => undefined);
    tracker.opened('case-2', 'msg-2', true, 1);
    tracker.status({ ...header(), caseId: 'case-2', status: 'open' });
    expect(tracker.state).toMatchObject({ delivery: 'sent', status: 'open' });
  });
});

describe('offersFor', () => {
  it('offers the first flow per active error, in raised order, with the profile label', async () => {
    const { flows } = await loadFlows(MODEL_DIR, { profile });
    const offers = offersFor(profile, flows, ['E03', 'E02', 'E05']);
    expect(offers.map((o) => [o.code, o.flowId, o.severity])).toEqual([
      ['E03', 'grinder-jammed', 'critical'],
      ['E05', 'descale', 'warning'],
    ]);
    expect(offers[1]?.label.de).toBe('Entkalkung nötig');
    expect(offersFor(profile, [] as HelpFlow[], ['E05'])).toEqual([]);
  });
});

describe('createBridgePort', () => {
  const calls: string[] = [];
  const bridge: Pick<McuBridge, 'readSensors' | 'readErrors' | 'runAction'> = {
    readSensors: async () => ({ water_tank_level: 50 }),
    readErrors: async () => ['E05'],
    runAction: async (name, params, options) => {
      calls.push(`${name}:${JSON.stringify(params)}`);
      options?.onProgress?.({ percent: 40 });
      return name === 'rinse' ? { ok: false, reason: 'water tank empty' } : { ok: true };
    },
  };
  const agentRuns: string[] = [];
  const port = createBridgePort({
    bridge: () => bridge,
    profile,
    actions: new Map([['cache.clear', () => void agentRuns.push('cache.clear')]]),
  });

  it('runs MCU actions with their progress and checked params', async () => {
    const progress: number[] = [];
    expect(await port.runAction('descale', { intensity: 'strong' }, (p) => progress.push(p))).toEqual({ ok: true });
    expect(progress).toEqual([40]);
    expect(await port.runAction('rinse', {}, () => undefined)).toEqual({ ok: false, reason: 'water tank empty' });
    expect(calls).toEqual(['descale:{"intensity":"strong"}', 'rinse:{}']);
  });
  it('refuses params outside the profile and unknown actions before the MCU sees them', async () => {
    expect((await port.runAction('descale', { intensity: 'nuclear' }, () => undefined)).reason).toMatch(/^BAD_PARAMS/);
    expect((await port.runAction('self_destruct', {}, () => undefined)).reason).toMatch(/^UNKNOWN_ACTION/);
    expect(calls).toHaveLength(2);
  });
  it('runs agent-local actions from the registry', async () => {
    expect(await port.runAction('cache.clear', {}, () => undefined)).toEqual({ ok: true });
    expect(agentRuns).toEqual(['cache.clear']);
    expect((await port.runAction('agent.restart', {}, () => undefined)).reason).toMatch(/no agent handler/);
  });
  it('reads sensors and errors from the bridge', async () => {
    expect(await port.readSensors()).toEqual({ water_tank_level: 50 });
    expect(await port.readErrors()).toEqual(['E05']);
  });
});

describe('ensureUiBuilt', () => {
  async function uiRoot(): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), 'tp-ui-'));
    await mkdir(join(root, 'src'));
    await writeFile(join(root, 'src', 'main.ts'), '// ui');
    await writeFile(join(root, 'index.html'), '<!doctype html>');
    // A stand-in build script: counts its runs, writes index.html.
    await writeFile(
      join(root, 'build.mjs'),
      `import { mkdir, writeFile, readFile } from 'node:fs/promises';
       import { join } from 'node:path';
       export async function buildTouchUi({ outDir }) {
         await mkdir(outDir, { recursive: true });
         await writeFile(join(outDir, 'index.html'), 'built');
         const counter = new URL('./runs.txt', import.meta.url);
         const runs = Number(await readFile(counter, 'utf8').catch(() => '0')) + 1;
         await writeFile(counter, String(runs));
       }`,
    );
    return root;
  }

  it('builds when dist is missing, not when it is fresh, again when a source is newer', async () => {
    const root = await uiRoot();
    try {
      expect(await ensureUiBuilt(undefined, silentLogger, root)).toBe('built');
      expect(await readFile(join(root, 'dist', 'index.html'), 'utf8')).toBe('built');
      expect(await ensureUiBuilt(undefined, silentLogger, root)).toBe('fresh');
      const later = new Date(Date.now() + 60_000);
      await utimes(join(root, 'src', 'main.ts'), later, later);
      expect(await ensureUiBuilt(undefined, silentLogger, root)).toBe('built');
      expect(await readFile(join(root, 'runs.txt'), 'utf8')).toBe('2');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('never touches a configured uiDir, and says so when there is nothing to build with', async () => {
    const root = await uiRoot();
    try {
      expect(await ensureUiBuilt('/opt/device/ui', silentLogger, root)).toBe('configured');
      await rm(join(root, 'build.mjs'));
      const warnings: string[] = [];
      expect(await ensureUiBuilt(undefined, { ...silentLogger, warn: (m) => void warnings.push(m) }, root)).toBe(
        'unavailable',
      );
      expect(warnings[0]).toMatch(/not built/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
