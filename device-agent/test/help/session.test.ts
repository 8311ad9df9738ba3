import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODELS_DIR } from '@touchpoint/models';
import {
  ErrorCode,
  helpFlow,
  helpTraceEntry,
  type DeviceProfile,
  type HelpFlow,
  type HelpTraceEntry,
  type SensorValue,
} from '@touchpoint/protocol';
import {
  createFlowSession,
  flowsForError,
  loadFlows,
  menuFlows,
  type FlowSession,
  type FlowSessionOptions,
  type HelpPort,
  type HelpScreen,
} from '../../src/help/index.js';

/** An in-memory device behind the port: the only fake, standing in for the firmware bridge. */
class FakeDevice {
  sensors: Record<string, SensorValue>;
  errors: string[];
  calls: { name: string; params: Record<string, unknown> }[] = [];
  /** What each action does to the device; returns the run result. */
  effects: Record<string, (params: Record<string, unknown>, device: FakeDevice) => { ok: boolean; reason?: string }> =
    {};
  progressSteps = [0, 25, 50, 75, 100];
  failReads = false;
  /** When set, runAction waits for this before finishing (to observe the busy state). */
  gate: Promise<void> | undefined;

  constructor(sensors: Record<string, SensorValue>, errors: string[] = []) {
    this.sensors = { ...sensors };
    this.errors = [...errors];
  }

  port(): HelpPort {
    return {
      readSensors: async () => {
        if (this.failReads) throw new Error('bridge link down');
        return { ...this.sensors };
      },
      readErrors: async () => [...this.errors],
      runAction: async (name, params, onProgress) => {
        this.calls.push({ name, params });
        for (const p of this.progressSteps) onProgress(p);
        if (this.gate) await this.gate;
        const effect = this.effects[name];
        return effect ? effect(params, this) : { ok: true };
      },
    };
  }
}

class Clock {
  t = 1_700_000_000_000;
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

let coffee: { flows: HelpFlow[]; profile: DeviceProfile };
let wallbox: { flows: HelpFlow[]; profile: DeviceProfile };

beforeAll(async () => {
  const c = await loadFlows(join(DEFAULT_MODELS_DIR, 'coffee-machine'));
  const w = await loadFlows(join(DEFAULT_MODELS_DIR, 'wallbox'));
  expect(c.problems).toEqual([]);
  expect(w.problems).toEqual([]);
  coffee = { flows: c.flows, profile: c.profile as DeviceProfile };
  wallbox = { flows: w.flows, profile: w.profile as DeviceProfile };
});

const flowById = (set: { flows: HelpFlow[] }, id: string): HelpFlow => {
  const flow = set.flows.find((f) => f.id === id);
  if (!flow) throw new Error(`no flow ${id}`);
  return flow;
};

interface Harness {
  session: FlowSession;
  device: FakeDevice;
  clock: Clock;
  trace: HelpTraceEntry[];
  states: HelpScreen[];
}

function harness(
  flow: HelpFlow,
  profile: DeviceProfile,
  device: FakeDevice,
  extra: Partial<FlowSessionOptions> = {},
): Harness {
  const clock = new Clock();
  const trace: HelpTraceEntry[] = [];
  const session = createFlowSession({
    flow,
    profile,
    port: device.port(),
    now: clock.now,
    locale: 'de',
    sessionId: 'hs-1',
    onTrace: (e) => trace.push(e),
    ...extra,
  });
  const states: HelpScreen[] = [];
  session.subscribe((s) => states.push(s));
  return { session, device, clock, trace, states };
}

const descaleEffect = (_p: Record<string, unknown>, d: FakeDevice): { ok: boolean } => {
  d.errors = d.errors.filter((e) => e !== 'E05');
  d.sensors['scale_level'] = 0;
  return { ok: true };
};

describe('flow session: descale', () => {
  it('runs the whole flow: check reads sensors, action runs with progress, verify, outcome, rating, full trace', async () => {
    const device = new FakeDevice({ machine_state: 'idle', water_tank_level: 80, scale_level: 90 }, ['E05']);
    device.effects['descale'] = descaleEffect;
    const h = harness(flowById(coffee, 'descale'), coffee.profile, device, { trigger: 'error', errorCode: 'E05' });

    expect(h.session.state).toMatchObject({ kind: 'idle', stepId: null, progress: 0, canGoBack: false });
    expect((await h.session.start()).ok).toBe(true);
    expect(h.session.state).toMatchObject({
      kind: 'info',
      stepId: 'intro',
      title: 'Entkalken vorbereiten',
      image: 'images/descale.svg',
      imageAlt: 'Gefäß unter dem Kaffeeauslauf',
      canGoBack: false,
      busy: false,
      flow: { id: 'descale', version: '1.0.0', title: 'Entkalken' },
    });
    expect(h.session.state.kind === 'info' && h.session.state.text).toMatch(/Gefäß/);

    h.clock.advance(4_000);
    expect((await h.session.next()).ok).toBe(true);
    const confirm = h.session.state;
    expect(confirm).toMatchObject({
      kind: 'action',
      phase: 'confirm',
      stepId: 'run_descale',
      canGoBack: true,
      action: { name: 'descale', label: 'Entkalken', estimatedSeconds: 8 },
    });
    expect(confirm.progress).toBeGreaterThan(0);
    expect(confirm.progress).toBeLessThan(100);
    // The check screens were shown while the sensors were read.
    expect(h.states.some((s) => s.kind === 'check' && s.stepId === 'check_water' && s.busy)).toBe(true);

    h.clock.advance(2_000);
    expect((await h.session.confirmAction()).ok).toBe(true);
    expect(device.calls).toEqual([{ name: 'descale', params: { intensity: 'normal' } }]);
    const running = h.states
      .filter((s) => s.kind === 'action' && s.phase === 'running')
      .map((s) => (s.kind === 'action' ? s.actionProgress : -1));
    expect(running).toEqual([null, 0, 25, 50, 75, 100]);
    expect(h.states.some((s) => s.kind === 'action' && s.phase === 'verifying')).toBe(true);
    expect(h.session.state).toMatchObject({
      kind: 'outcome',
      result: 'resolved',
      stepId: 'resolved',
      canRate: true,
      outcome: 'resolved',
      progress: 100,
      canGoBack: false,
    });

    h.clock.advance(3_000);
    expect((await h.session.next()).ok).toBe(true);
    expect(h.session.state).toMatchObject({
      kind: 'rate',
      question: 'Wie einfach war es, Ihr Problem zu lösen?',
      helpedQuestion: 'Hat Ihnen das geholfen?',
      scale: { min: 1, max: 7 },
    });
    expect((await h.session.rate(6, true)).ok).toBe(true);
    expect(h.session.state).toMatchObject({ kind: 'done', rated: true, text: 'Danke für Ihre Bewertung!' });

    const t0 = 1_700_000_000_000;
    expect(h.trace).toEqual([
      {
        kind: 'start',
        at: t0,
        flowId: 'descale',
        flowVersion: '1.0.0',
        trigger: 'error',
        errorCode: 'E05',
        locale: 'de',
      },
      { kind: 'step', at: t0, stepId: 'intro', stepType: 'info' },
      { kind: 'choice', at: t0 + 4_000, stepId: 'intro', choiceId: 'next', msOnStep: 4_000 },
      { kind: 'step', at: t0 + 4_000, stepId: 'check_ready', stepType: 'check' },
      { kind: 'check', at: t0 + 4_000, stepId: 'check_ready', result: true },
      { kind: 'step', at: t0 + 4_000, stepId: 'check_water', stepType: 'check' },
      { kind: 'check', at: t0 + 4_000, stepId: 'check_water', result: true },
      { kind: 'step', at: t0 + 4_000, stepId: 'run_descale', stepType: 'action' },
      { kind: 'action', at: t0 + 6_000, stepId: 'run_descale', action: 'descale', status: 'confirmed' },
      { kind: 'action', at: t0 + 6_000, stepId: 'run_descale', action: 'descale', status: 'progress', progress: 0 },
      { kind: 'action', at: t0 + 6_000, stepId: 'run_descale', action: 'descale', status: 'progress', progress: 25 },
      { kind: 'action', at: t0 + 6_000, stepId: 'run_descale', action: 'descale', status: 'progress', progress: 50 },
      { kind: 'action', at: t0 + 6_000, stepId: 'run_descale', action: 'descale', status: 'progress', progress: 75 },
      { kind: 'action', at: t0 + 6_000, stepId: 'run_descale', action: 'descale', status: 'progress', progress: 100 },
      { kind: 'action', at: t0 + 6_000, stepId: 'run_descale', action: 'descale', status: 'succeeded' },
      { kind: 'action', at: t0 + 6_000, stepId: 'run_descale', action: 'descale', status: 'verified' },
      { kind: 'step', at: t0 + 6_000, stepId: 'resolved', stepType: 'outcome' },
      {
        kind: 'outcome',
        at: t0 + 6_000,
        stepId: 'resolved',
        outcome: 'resolved',
        resolution: 'fix', // the descale flow's end step says so (issue 16)
        msTotal: 6_000,
      },
      { kind: 'choice', at: t0 + 9_000, stepId: 'resolved', choiceId: 'next', msOnStep: 3_000 },
      { kind: 'step', at: t0 + 9_000, stepId: 'rate', stepType: 'rate' },
      { kind: 'rating', at: t0 + 9_000, ces: 6, helped: true },
    ]);
    // Every entry is a valid protocol message, and session.trace matches what onTrace saw.
    for (const entry of h.trace) expect(helpTraceEntry.safeParse(entry).success).toBe(true);
    expect(h.session.trace).toEqual(h.trace);
    // The view model is plain data the UI can send over a WebSocket.
    expect(JSON.parse(JSON.stringify(h.session.state))).toEqual(h.session.state);
  });

  it('branches on the sensor value: a low tank asks to refill, then checks again', async () => {
    const device = new FakeDevice({ machine_state: 'idle', water_tank_level: 12 }, ['E05']);
    const h = harness(flowById(coffee, 'descale'), coffee.profile, device);
    await h.session.start();
    await h.session.next();
    expect(h.session.state).toMatchObject({
      kind: 'info',
      stepId: 'refill',
      image: 'images/water-tank.svg',
      canGoBack: true,
    });
    const checks = h.trace.filter((e) => e.kind === 'check');
    expect(checks).toEqual([
      expect.objectContaining({ stepId: 'check_ready', result: true }),
      expect.objectContaining({ stepId: 'check_water', result: false }),
    ]);

    // Tapping Next without refilling lands on the same screen again.
    await h.session.next();
    expect(h.session.state.stepId).toBe('refill');

    device.sensors['water_tank_level'] = 30;
    await h.session.next();
    expect(h.session.state).toMatchObject({ kind: 'action', phase: 'confirm', stepId: 'run_descale' });
  });

  it('escalates when the action succeeds but verification fails', async () => {
    const device = new FakeDevice({ machine_state: 'idle', water_tank_level: 80 }, ['E05']);
    device.effects['descale'] = () => ({ ok: true }); // runs, but E05 stays
    const h = harness(flowById(coffee, 'descale'), coffee.profile, device);
    await h.session.start();
    await h.session.next();
    await h.session.confirmAction();
    expect(h.session.state).toMatchObject({
      kind: 'outcome',
      result: 'escalate',
      reason: 'descale_failed',
      stepId: 'escalate',
      canRate: false,
      outcome: 'escalated',
    });
    const statuses = h.trace.filter((e) => e.kind === 'action').map((e) => (e.kind === 'action' ? e.status : ''));
    expect(statuses.filter((s) => s !== 'progress')).toEqual(['confirmed', 'succeeded', 'not-verified']);
    expect(h.trace.at(-1)).toMatchObject({
      kind: 'outcome',
      outcome: 'escalated',
      reason: 'descale_failed',
      stepId: 'escalate',
    });
    expect((await h.session.next()).ok).toBe(false);
    expect((await h.session.rate(5, false)).ok).toBe(false);
  });

  it('escalates when the device reports the action failed, with the reason in the trace', async () => {
    const device = new FakeDevice({ machine_state: 'idle', water_tank_level: 80 }, ['E05']);
    device.effects['descale'] = () => ({ ok: false, reason: 'MCU_TIMEOUT: no response' });
    const h = harness(flowById(coffee, 'descale'), coffee.profile, device);
    await h.session.start();
    await h.session.next();
    await h.session.confirmAction();
    expect(h.trace).toContainEqual(
      expect.objectContaining({ kind: 'action', status: 'failed', reason: 'MCU_TIMEOUT: no response' }),
    );
    expect(h.session.state).toMatchObject({ kind: 'outcome', result: 'escalate', reason: 'descale_failed' });
  });

  it('refuses to run an action whose profile precondition does not hold', async () => {
    const device = new FakeDevice({ machine_state: 'idle', water_tank_level: 80 }, ['E05']);
    const h = harness(flowById(coffee, 'descale'), coffee.profile, device);
    await h.session.start();
    await h.session.next();
    device.sensors['machine_state'] = 'brewing'; // someone started a coffee meanwhile
    await h.session.confirmAction();
    expect(device.calls).toEqual([]);
    expect(h.trace).toContainEqual(
      expect.objectContaining({
        kind: 'action',
        status: 'failed',
        reason: expect.stringContaining('PRECONDITION_FAILED'),
      }),
    );
    expect(h.session.state).toMatchObject({ kind: 'outcome', result: 'escalate' });
  });

  it('escalates with check_failed when the device cannot be read', async () => {
    const device = new FakeDevice({ machine_state: 'idle', water_tank_level: 80 }, ['E05']);
    device.failReads = true;
    const h = harness(flowById(coffee, 'descale'), coffee.profile, device);
    await h.session.start();
    await h.session.next();
    expect(h.session.state).toMatchObject({
      kind: 'outcome',
      result: 'escalate',
      stepId: 'check_ready',
      outcome: 'escalated',
    });
    expect(h.session.state.kind === 'outcome' && h.session.state.reason).toMatch(/^check_failed: .*bridge link down/);
  });

  it('is busy while an action runs and refuses other taps', async () => {
    const device = new FakeDevice({ machine_state: 'idle', water_tank_level: 80 }, ['E05']);
    device.effects['descale'] = descaleEffect;
    let release = (): void => {};
    device.gate = new Promise((r) => (release = r));
    const h = harness(flowById(coffee, 'descale'), coffee.profile, device);
    await h.session.start();
    await h.session.next();
    const reachedFullProgress = new Promise<void>((resolve) => {
      h.session.subscribe((s) => {
        if (s.kind === 'action' && s.actionProgress === 100) resolve();
      });
    });
    const running = h.session.confirmAction();
    await reachedFullProgress;
    expect(h.session.state).toMatchObject({
      kind: 'action',
      phase: 'running',
      busy: true,
      canGoBack: false,
      actionProgress: 100,
    });
    expect(await h.session.confirmAction()).toMatchObject({ ok: false, code: ErrorCode.CONFLICT });
    expect(await h.session.back()).toMatchObject({ ok: false, code: ErrorCode.CONFLICT });
    release();
    await running;
    expect(h.session.state).toMatchObject({ kind: 'outcome', result: 'resolved', busy: false });
  });
});

describe('flow session: questions, back and cancel', () => {
  it('goes back to the previous question, recording time on the step', async () => {
    const device = new FakeDevice({ grind_size: 7, brew_strength: 2 });
    const h = harness(flowById(coffee, 'coffee-too-weak'), coffee.profile, device, { locale: 'en' });
    await h.session.start();
    expect(h.session.state).toMatchObject({
      kind: 'question',
      stepId: 'ask_symptom',
      canGoBack: false,
      title: 'How does the coffee taste?',
    });
    expect(h.session.state.kind === 'question' && h.session.state.choices.map((c) => c.id)).toEqual([
      'watery',
      'fast',
      'mild',
    ]);
    expect(await h.session.back()).toMatchObject({ ok: false, code: ErrorCode.CONFLICT });

    h.clock.advance(1_500);
    await h.session.choose('watery');
    expect(h.session.state).toMatchObject({ kind: 'action', phase: 'confirm', stepId: 'set_finer', canGoBack: true });
    h.clock.advance(2_500);
    expect((await h.session.back()).ok).toBe(true);
    expect(h.session.state).toMatchObject({ kind: 'question', stepId: 'ask_symptom', canGoBack: false });
    expect(h.trace.filter((e) => e.kind === 'choice' || e.kind === 'back')).toEqual([
      expect.objectContaining({ kind: 'choice', stepId: 'ask_symptom', choiceId: 'watery', msOnStep: 1_500 }),
      expect.objectContaining({ kind: 'back', fromStepId: 'set_finer', toStepId: 'ask_symptom', msOnStep: 2_500 }),
    ]);
  });

  it('cancel on the confirmation sheet follows onCancel; confirming adjusts the setting', async () => {
    const device = new FakeDevice({ grind_size: 7, brew_strength: 2 });
    device.effects['set_brew_strength'] = (p, d) => {
      d.sensors['brew_strength'] = p['strength'] as number;
      return { ok: true };
    };
    const h = harness(flowById(coffee, 'coffee-too-weak'), coffee.profile, device, { locale: 'en' });
    await h.session.start();
    await h.session.choose('fast');
    expect((await h.session.cancelAction()).ok).toBe(true);
    expect(h.trace).toContainEqual(
      expect.objectContaining({ kind: 'action', stepId: 'set_finer', status: 'cancelled' }),
    );
    // onCancel goes to check_strength: strength 2 < 4, so the next sheet offers a stronger brew.
    expect(h.session.state).toMatchObject({
      kind: 'action',
      phase: 'confirm',
      stepId: 'set_stronger',
      confirm: expect.stringContaining('4 of 5'),
    });
    await h.session.confirmAction();
    expect(device.calls).toEqual([{ name: 'set_brew_strength', params: { strength: 4 } }]);
    expect(h.session.state).toMatchObject({ kind: 'question', stepId: 'ask_better_strength' });
    await h.session.choose('yes');
    expect(h.session.state).toMatchObject({ kind: 'outcome', result: 'resolved' });
  });

  it('refuses unknown choices and taps that do not fit the screen', async () => {
    const device = new FakeDevice({ grind_size: 3, brew_strength: 5 });
    const h = harness(flowById(coffee, 'coffee-too-weak'), coffee.profile, device);
    expect(await h.session.choose('watery')).toMatchObject({ ok: false, code: ErrorCode.CONFLICT });
    await h.session.start();
    expect(await h.session.start()).toMatchObject({ ok: false, code: ErrorCode.CONFLICT });
    expect(await h.session.choose('nope')).toMatchObject({ ok: false, code: ErrorCode.NOT_FOUND });
    expect(await h.session.next()).toMatchObject({ ok: false, code: ErrorCode.CONFLICT });
    expect(await h.session.confirmAction()).toMatchObject({ ok: false, code: ErrorCode.CONFLICT });
    // Grind fine and strength high already: straight to the beans question.
    await h.session.choose('watery');
    expect(h.session.state).toMatchObject({ kind: 'question', stepId: 'beans' });
  });

  it('cancel without onCancel goes back to the previous screen', async () => {
    const device = new FakeDevice({ machine_state: 'idle', water_tank_level: 80 }, ['E05']);
    const h = harness(flowById(coffee, 'descale'), coffee.profile, device);
    await h.session.start();
    await h.session.next();
    expect((await h.session.cancelAction()).ok).toBe(true);
    expect(h.session.state).toMatchObject({ kind: 'info', stepId: 'intro' });
    expect(device.calls).toEqual([]);
  });

  it('validates the rating', async () => {
    const device = new FakeDevice({ wifi_connected: true, wifi_rssi: -50 }, []);
    const h = harness(flowById(wallbox, 'wifi-lost'), wallbox.profile, device);
    await h.session.start();
    await h.session.next();
    expect(h.session.state).toMatchObject({ kind: 'outcome', result: 'resolved', stepId: 'already_connected' });
    // Already connected: the trace says nothing was wrong, so first-touch resolution does not count it (issue 16).
    expect(h.trace.find((e) => e.kind === 'outcome')).toMatchObject({
      outcome: 'resolved',
      resolution: 'nothing-wrong',
    });
    await h.session.next();
    expect(await h.session.rate(0, true)).toMatchObject({ ok: false, code: ErrorCode.BAD_PARAMS });
    expect(await h.session.rate(3.5, true)).toMatchObject({ ok: false, code: ErrorCode.BAD_PARAMS });
    expect((await h.session.rate(7, false)).ok).toBe(true);
    expect(h.trace.at(-1)).toMatchObject({ kind: 'rating', ces: 7, helped: false });
  });
});

describe('flow session: escalation, abandon, locale', () => {
  it('the customer escalates mid-flow; the session then refuses further steps', async () => {
    const device = new FakeDevice({ cable_connected: true, rcd_tripped: true }, ['F02']);
    const h = harness(flowById(wallbox, 'rcd-tripped'), wallbox.profile, device);
    await h.session.start();
    h.clock.advance(10_000);
    await h.session.next();
    expect(h.session.state).toMatchObject({ kind: 'info', stepId: 'unplug' });
    expect((await h.session.escalate('customer_request')).ok).toBe(true);
    expect(h.session.state).toMatchObject({
      kind: 'outcome',
      result: 'escalate',
      reason: 'customer_request',
      outcome: 'escalated',
      stepId: 'unplug',
    });
    expect(h.trace.at(-1)).toEqual({
      kind: 'outcome',
      at: h.clock.t,
      stepId: 'unplug',
      outcome: 'escalated',
      reason: 'customer_request',
      msTotal: 10_000,
    });
    expect(await h.session.next()).toMatchObject({ ok: false });
    expect(await h.session.escalate('again')).toMatchObject({ ok: false, code: ErrorCode.CONFLICT });
  });

  it('RCD trips again after the reset: escalates with rcd_trips_again', async () => {
    const device = new FakeDevice({ cable_connected: false, rcd_tripped: true }, ['F02']);
    device.effects['reset_rcd'] = (_p, d) => {
      d.sensors['rcd_tripped'] = false;
      d.errors = [];
      return { ok: true };
    };
    const h = harness(flowById(wallbox, 'rcd-tripped'), wallbox.profile, device);
    await h.session.start();
    await h.session.next();
    expect(h.session.state).toMatchObject({ kind: 'action', stepId: 'reset', phase: 'confirm' });
    await h.session.confirmAction();
    expect(h.session.state).toMatchObject({ kind: 'info', stepId: 'replug' });
    device.sensors['cable_connected'] = true;
    device.sensors['rcd_tripped'] = true;
    device.errors = ['F02'];
    await h.session.next();
    expect(h.session.state).toMatchObject({ kind: 'outcome', result: 'escalate', reason: 'rcd_trips_again' });
  });

  it('abandon records an abandoned outcome', async () => {
    const device = new FakeDevice({ wifi_connected: false, wifi_rssi: -60 }, ['F04']);
    const h = harness(flowById(wallbox, 'wifi-lost'), wallbox.profile, device);
    await h.session.start();
    h.clock.advance(700);
    await h.session.abandon();
    expect(h.session.state).toMatchObject({ kind: 'done', rated: false, outcome: 'abandoned' });
    expect(h.trace.at(-1)).toMatchObject({ kind: 'outcome', outcome: 'abandoned', msTotal: 700, stepId: 'intro' });
  });

  it('switches language at runtime and falls back from a regional tag', async () => {
    const device = new FakeDevice({ wifi_connected: false, wifi_rssi: -60 }, ['F04']);
    const h = harness(flowById(wallbox, 'wifi-lost'), wallbox.profile, device, { locale: 'de-AT' });
    await h.session.start();
    expect(h.session.state).toMatchObject({ title: 'Laden geht weiter', flow: { title: 'WLAN-Verbindung verloren' } });
    h.session.setLocale('en');
    expect(h.session.state).toMatchObject({
      title: 'Charging continues',
      locale: 'en',
      flow: { title: 'Wi-Fi connection lost' },
    });
    h.session.setLocale('fr');
    expect(h.session.state.title).toBe('Charging continues');
  });

  it('keeps going when a listener or onTrace throws, and reports it', async () => {
    const errors: unknown[] = [];
    const device = new FakeDevice({ wifi_connected: true, wifi_rssi: -50 });
    const h = harness(flowById(wallbox, 'wifi-lost'), wallbox.profile, device, {
      onTrace: () => {
        throw new Error('publish failed');
      },
      onListenerError: (e) => errors.push(e),
    });
    h.session.subscribe(() => {
      throw new Error('render failed');
    });
    await h.session.start();
    await h.session.next();
    expect(h.session.state).toMatchObject({ kind: 'outcome', result: 'resolved' });
    expect(errors.length).toBeGreaterThan(2);
    expect(h.session.trace.length).toBeGreaterThan(3);
  });

  it('escalates instead of spinning when check steps loop (a flow the validator would refuse)', async () => {
    const looping = helpFlow.parse({
      id: 'loop',
      version: '1.0.0',
      models: ['coffee-machine'],
      title: { de: 'Schleife', en: 'Loop' },
      description: { de: 'Schleife', en: 'Loop' },
      start: 'a',
      steps: {
        a: { kind: 'check', condition: 'sensors.water_tank_level > 1', onTrue: 'b', onFalse: 'done' },
        b: { kind: 'check', condition: 'sensors.water_tank_level > 1', onTrue: 'a', onFalse: 'done' },
        done: { kind: 'outcome', result: 'escalate', text: { de: 'x', en: 'x' }, reason: 'x' },
      },
    });
    const device = new FakeDevice({ water_tank_level: 50 });
    const h = harness(looping, coffee.profile, device, { maxAutoSteps: 8 });
    await h.session.start();
    expect(h.session.state).toMatchObject({ kind: 'outcome', result: 'escalate', reason: 'flow_loop' });
    expect(h.trace.filter((e) => e.kind === 'check')).toHaveLength(8);
  });
});

describe('flowsForError and menuFlows', () => {
  it('finds the flows that handle an error code', () => {
    expect(flowsForError(coffee.flows, 'E05').map((f) => f.id)).toEqual(['descale']);
    expect(flowsForError(wallbox.flows, 'F03').map((f) => f.id)).toEqual(['charging-slow']);
    expect(flowsForError(wallbox.flows, 'F05').map((f) => f.id)).toEqual(['charging-slow']);
    expect(flowsForError(coffee.flows, 'E07')).toEqual([]);
  });

  it('lists the help topics for the home screen', () => {
    expect(menuFlows(coffee.flows).map((f) => f.id)).toEqual([
      'coffee-too-weak',
      'descale',
      'grinder-jammed',
      'milk-system-cleaning',
      'water-tank-empty',
    ]);
  });
});
