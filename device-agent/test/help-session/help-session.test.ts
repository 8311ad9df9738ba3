import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  header,
  type CaseOpenMessage,
  type DeviceEvent,
  type DiagnosticsMessage,
  type HelpCaseState,
  type HelpOffer,
  type HelpScreenView,
  type SensorValue,
} from '@touchpoint/protocol';
import { DEFAULT_MODELS_DIR } from '@touchpoint/models';
import type { AgentEvents } from '../../src/agent-events.js';
import { EventBus } from '../../src/event-bus.js';
import { HelpSessionExtension } from '../../src/extensions/help-session/help-session-extension.js';
import type { HelpPort } from '../../src/help/port.js';
import { kioskProtocols } from '../../src/local-server/kiosk-key.js';
import { LocalServer } from '../../src/local-server/local-server.js';
import { silentLogger } from '../../src/logger.js';
import type { MessageHandler } from '../../src/mqtt/connection.js';
import { loadProfile } from '../../src/profile-loader.js';

const MODEL_DIR = join(DEFAULT_MODELS_DIR, 'coffee-machine');
const profile = loadProfile(MODEL_DIR);
const KIOSK_SECRET = 'k'.repeat(43);

/** A device for the engine: plain state, action runs recorded, progress reported in steps. */
class FakeDevice implements HelpPort {
  sensors: Record<string, SensorValue> = { machine_state: 'idle', water_tank_level: 80, scale_level: 90 };
  errors: string[] = ['E05'];
  runs: string[] = [];
  fail: string | undefined;
  async readSensors() {
    return { ...this.sensors };
  }
  async readErrors() {
    return [...this.errors];
  }
  async runAction(name: string, _params: Record<string, unknown>, onProgress: (p: number) => void) {
    this.runs.push(name);
    for (const p of [25, 50, 75, 100]) onProgress(p);
    if (this.fail) return { ok: false, reason: this.fail };
    this.errors = this.errors.filter((e) => e !== 'E05');
    return { ok: true };
  }
}

interface Client {
  messages: { type: string; [k: string]: unknown }[];
  request(
    type: string,
    fields?: Record<string, unknown>,
  ): Promise<{ ok: boolean; data?: unknown; code?: string; message?: string }>;
  next<T>(type: string, match?: (m: T) => boolean): Promise<T>;
  close(): void;
}

async function connect(url: string): Promise<Client> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`, kioskProtocols(KIOSK_SECRET));
  const messages: Client['messages'] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data: Buffer) => {
    messages.push(JSON.parse(data.toString()) as Client['messages'][number]);
    for (const w of waiters.splice(0)) w();
  });
  await new Promise((r) => ws.once('open', r));
  let seq = 0;
  let cursor = 0;
  const waitFor = async <T>(find: () => T | undefined, what: string): Promise<T> => {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
  };
  return {
    messages,
    async request(type, fields = {}) {
      const id = `t${++seq}`;
      ws.send(JSON.stringify({ ...fields, id, type }));
      return waitFor(() => messages.find((m) => m.type === 'reply' && m.replyTo === id) as never, `reply to ${type}`);
    },
    /** The next message of a type (after the previous one returned by next()). */
    async next<T>(type: string, match: (m: T) => boolean = () => true) {
      return waitFor(() => {
        for (let i = cursor; i < messages.length; i++) {
          const m = messages[i] as { type: string };
          if (m.type === type && match(m as T)) {
            cursor = i + 1;
            return m as T;
          }
        }
        return undefined;
      }, type);
    },
    close: () => ws.close(),
  };
}

let dir: string;
let bus: EventBus<AgentEvents>;
let server: LocalServer;
let help: HelpSessionExtension;
let device: FakeDevice;
let client: Client;
let events: DeviceEvent[];
let cases: CaseOpenMessage[];
let subscriptions: Map<string, MessageHandler>;
let connected: boolean;

function diagnostics(): DiagnosticsMessage {
  return {
    ...header(),
    deviceId: 'cm-unit',
    reason: 'case',
    mcu: { sensors: { ...device.sensors }, errors: [...device.errors] },
    agent: { outboxDepth: 0, outboxDropped: 0, reconnects: 0, link: 'up', uptimeS: 1 },
  };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-help-'));
  bus = new EventBus<AgentEvents>(silentLogger);
  device = new FakeDevice();
  events = [];
  cases = [];
  subscriptions = new Map();
  connected = false;
  server = new LocalServer({
    host: '127.0.0.1',
    port: 0,
    uiDir: dir,
    deviceId: 'cm-unit',
    profile,
    agentVersion: '0.0.0',
    bus,
    link: () => 'up',
    logger: silentLogger,
    kiosk: { secret: KIOSK_SECRET },
  });
  help = new HelpSessionExtension({
    deviceId: 'cm-unit',
    profile,
    modelDir: MODEL_DIR,
    port: device,
    bus,
    reporter: {
      event: (event) => {
        events.push(event);
        return { ...header(), deviceId: 'cm-unit', event };
      },
      case: (input) => {
        const message = { ...header(), deviceId: 'cm-unit', ...input };
        cases.push(message);
        return message;
      },
    },
    connection: {
      subscribe: (topic, _qos, handler) => {
        subscriptions.set(topic, handler);
        return () => subscriptions.delete(topic);
      },
      get connected() {
        return connected;
      },
    },
    diagnostics: { build: async () => diagnostics() },
    localServer: server,
    logger: silentLogger,
    readErrors: () => device.readErrors(),
  });
  await server.start();
  await help.start();
  client = await connect(server.url as string);
});

afterEach(async () => {
  client.close();
  await help.stop();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

type ScreenMsg = { screen: HelpScreenView | null };
const screenOf = (m: ScreenMsg) => m.screen as HelpScreenView;

describe('help-session extension (real engine and local server, fake device)', () => {
  it('lists the model flows with the device name and error labels', async () => {
    const reply = await client.request('help.flows');
    expect(reply.ok).toBe(true);
    const data = reply.data as {
      flows: { id: string; errors: string[]; menu: boolean }[];
      device: { name: { en: string }; errors: { code: string }[] };
    };
    expect(data.flows.map((f) => f.id)).toEqual(
      expect.arrayContaining(['descale', 'water-tank-empty', 'grinder-jammed']),
    );
    expect(data.flows.find((f) => f.id === 'descale')).toMatchObject({ errors: ['E05'], menu: true });
    expect(data.device.name.en).toBe('Bean-to-cup coffee machine');
    expect(data.device.errors.map((e) => e.code)).toContain('E05');
  });

  it('greets a new UI with the current offers, screen and case, and offers a flow when the MCU raises an error it handles', async () => {
    const first = await client.next<{ offers: HelpOffer[] }>('help.offers', (m) => m.offers.length > 0);
    expect(first.offers[0]).toMatchObject({ code: 'E05', flowId: 'descale', label: { en: 'Descaling needed' } });
    bus.emit('mcu.event', { type: 'error.raised', code: 'E03' });
    const both = await client.next<{ offers: HelpOffer[] }>('help.offers', (m) => m.offers.length === 2);
    expect(both.offers.map((o) => [o.code, o.flowId])).toEqual([
      ['E05', 'descale'],
      ['E03', 'grinder-jammed'],
    ]);
    bus.emit('mcu.event', { type: 'error.raised', code: 'E02' }); // no flow handles the drip tray: no offer
    bus.emit('mcu.event', { type: 'error.cleared', code: 'E05' });
    const after = await client.next<{ offers: HelpOffer[] }>('help.offers', (m) => m.offers.length === 1);
    expect(after.offers[0]?.code).toBe('E03');
  });

  it('runs a flow from the UI: screens pushed live with action progress, each trace entry published as a help event, the rating last', async () => {
    const started = await client.request('help.start', {
      flowId: 'descale',
      locale: 'en',
      trigger: 'error',
      errorCode: 'E05',
    });
    expect(started.ok).toBe(true);
    const screen = (started.data as { screen: HelpScreenView }).screen;
    expect(screen).toMatchObject({ kind: 'info', stepId: 'intro', image: '/api/help/image?path=images%2Fdescale.svg' });
    const sessionId = screen.sessionId;

    expect((await client.request('help.next', { sessionId })).ok).toBe(true);
    const confirm = screenOf(await client.next<ScreenMsg>('help.screen', (m) => m.screen?.kind === 'action'));
    expect(confirm).toMatchObject({ kind: 'action', phase: 'confirm', action: { name: 'descale', label: 'Descale' } });

    expect((await client.request('help.confirm', { sessionId })).ok).toBe(true);
    const progress = client.messages
      .filter((m): m is { type: string; screen: HelpScreenView } => m.type === 'help.screen')
      .map((m) => m.screen)
      .filter(
        (s): s is Extract<HelpScreenView, { kind: 'action' }> =>
          s?.kind === 'action' && s.phase === 'running' && s.actionProgress !== null,
      )
      .map((s) => s.actionProgress);
    expect(progress).toEqual([25, 50, 75, 100]);
    const resolved = screenOf(await client.next<ScreenMsg>('help.screen', (m) => m.screen?.kind === 'outcome'));
    expect(resolved).toMatchObject({ result: 'resolved', canRate: true });

    expect((await client.request('help.next', { sessionId })).ok).toBe(true);
    expect((await client.request('help.rate', { sessionId, ces: 6, helped: true })).ok).toBe(true);
    const done = screenOf(await client.next<ScreenMsg>('help.screen', (m) => m.screen?.kind === 'done'));
    expect(done).toMatchObject({ rated: true });

    const entries = events.map((e) => (e.type === 'help' ? e : undefined)).filter((e) => e !== undefined);
    expect(entries.every((e) => e.sessionId === sessionId && e.flowId === 'descale')).toBe(true);
    const kinds = entries.map((e) => e.entry.kind);
    expect(kinds[0]).toBe('start');
    expect(entries[0]?.entry).toMatchObject({ trigger: 'error', errorCode: 'E05', locale: 'en' });
    expect(kinds.at(-1)).toBe('rating');
    expect(entries.at(-1)?.entry).toMatchObject({ ces: 6, helped: true });
    expect(entries.filter((e) => e.entry.kind === 'check').length).toBe(2);
    expect(entries.map((e) => (e.entry.kind === 'action' ? e.entry.status : '')).filter(Boolean)).toEqual([
      'confirmed',
      'progress',
      'progress',
      'progress',
      'progress',
      'succeeded',
      'verified',
    ]);
    expect(device.runs).toEqual(['descale']);

    expect((await client.request('help.close')).ok).toBe(true);
    expect(await client.next<ScreenMsg>('help.screen', (m) => m.screen === null)).toMatchObject({ screen: null });
  });

  it('refuses taps for a session that is no longer running, and bad requests with their schema error', async () => {
    const started = await client.request('help.start', { flowId: 'descale', locale: 'de' });
    const old = (started.data as { screen: HelpScreenView }).screen.sessionId;
    expect((started.data as { screen: HelpScreenView }).screen.title).toBe('Entkalken vorbereiten');
    await client.request('help.start', { flowId: 'descale', locale: 'en' });
    expect(await client.request('help.next', { sessionId: old })).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(await client.request('help.start', { flowId: 'no-such-flow', locale: 'en' })).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    });
    expect(await client.request('help.rate', { sessionId: old, ces: 9, helped: true })).toMatchObject({
      ok: false,
      code: 'SCHEMA_INVALID',
    });
    // The first session was abandoned when the second started, and that is in its trace.
    expect(
      events.some(
        (e) =>
          e.type === 'help' && e.sessionId === old && e.entry.kind === 'outcome' && e.entry.outcome === 'abandoned',
      ),
    ).toBe(true);
  });

  it('switches the running session to another language', async () => {
    await client.request('help.start', { flowId: 'descale', locale: 'en' });
    expect((await client.request('help.locale', { locale: 'de' })).ok).toBe(true);
    const de = screenOf(await client.next<ScreenMsg>('help.screen', (m) => m.screen?.locale === 'de'));
    expect(de.title).toBe('Entkalken vorbereiten');
  });

  it('opens a case only with explicit consent, escalating the running session, with trace and diagnostics; follows delivery and the fleet status', async () => {
    const started = await client.request('help.start', { flowId: 'descale', locale: 'en' });
    const sessionId = (started.data as { screen: HelpScreenView }).screen.sessionId;
    expect(
      await client.request('help.case.open', { locale: 'en', consent: { diagnostics: true, helpSession: false } }),
    ).toMatchObject({ ok: false, code: 'SCHEMA_INVALID' });
    expect(cases).toHaveLength(0);

    const opened = await client.request('help.case.open', {
      locale: 'en',
      consent: { diagnostics: true, helpSession: true },
    });
    expect(opened.ok).toBe(true);
    const state = opened.data as HelpCaseState;
    expect(state).toMatchObject({ delivery: 'queued', status: null });
    expect(cases).toHaveLength(1);
    const sent = cases[0] as CaseOpenMessage;
    expect(sent).toMatchObject({
      caseId: state.caseId,
      reason: 'customer_request',
      flowId: 'descale',
      sessionId,
      locale: 'en',
      consent: { diagnostics: true, helpSession: true },
    });
    expect(sent.trace.at(-1)).toMatchObject({ kind: 'outcome', outcome: 'escalated', reason: 'customer_request' });
    expect(sent.diagnostics?.mcu.errors).toEqual(['E05']);

    bus.emit('mqtt.connected', { connectionId: 'c1', reconnects: 0 });
    expect(
      (await client.next<{ case: HelpCaseState }>('help.case', (m) => m.case?.delivery === 'sending')).case.caseId,
    ).toBe(state.caseId);
    bus.emit('report.delivered', { kind: 'case', messageId: sent.id, seq: 1 });
    await client.next<{ case: HelpCaseState }>('help.case', (m) => m.case?.delivery === 'sent');

    const onStatus = subscriptions.get('tp/v1/d/cm-unit/case/status');
    expect(onStatus).toBeDefined();
    await onStatus?.('tp/v1/d/cm-unit/case/status', Buffer.from('{"not":"a status"}')); // refused and logged, nothing breaks
    await onStatus?.(
      'tp/v1/d/cm-unit/case/status',
      Buffer.from(JSON.stringify({ ...header(), caseId: 'some-older-case', status: 'resolved' })),
    );
    await onStatus?.(
      'tp/v1/d/cm-unit/case/status',
      Buffer.from(JSON.stringify({ ...header(), caseId: state.caseId, status: 'claimed', agentName: 'Sam' })),
    );
    const claimed = await client.next<{ case: HelpCaseState }>('help.case', (m) => m.case?.status != null);
    expect(claimed.case).toMatchObject({ caseId: state.caseId, status: 'claimed', agentName: 'Sam' });
    expect(help.currentCase?.status).toBe('claimed');

    expect((await client.request('help.case.dismiss')).ok).toBe(true);
    await client.next<{ case: HelpCaseState | null }>('help.case', (m) => m.case === null);
  });

  it('opens a case from home without a session: diagnostics only, empty trace', async () => {
    connected = true;
    const opened = await client.request('help.case.open', {
      locale: 'de',
      consent: { diagnostics: true, helpSession: true },
    });
    expect(opened.data).toMatchObject({ delivery: 'sending' });
    expect(cases[0]).toMatchObject({ reason: 'customer_request', trace: [], locale: 'de' });
    expect(cases[0]?.flowId).toBeUndefined();
  });

  it('serves flow images from the flows folder only', async () => {
    const ok = await fetch(`${server.url}/api/help/image?path=images%2Fdescale.svg`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/svg+xml');
    expect((await ok.text()).startsWith('<svg')).toBe(true);
    for (const path of [
      '..%2Fprofile.json',
      '..%2F..%2Fwallbox%2Fflows%2Fimages%2Fx.svg',
      'descale.json',
      '%2Fetc%2Fpasswd',
    ]) {
      expect((await fetch(`${server.url}/api/help/image?path=${path}`)).status).toBe(404);
    }
  });

  it('switches to help content installed by support: the UI gets the new catalog and offers, images come from the new folder', async () => {
    const installed = join(dir, 'installed');
    await mkdir(join(installed, 'flows'), { recursive: true });
    await cp(join(MODEL_DIR, 'flows', 'images'), join(installed, 'flows', 'images'), { recursive: true });
    const descale = JSON.parse(await readFile(join(MODEL_DIR, 'flows', 'descale.json'), 'utf8')) as {
      title: { en: string };
      version: string;
    };
    descale.title.en = 'Descaling, revised';
    descale.version = '1.1.0';
    await writeFile(join(installed, 'flows', 'descale.json'), JSON.stringify(descale));
    await writeFile(join(installed, 'flows', 'images', 'only-here.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');

    bus.emit('help.installed', { dir: installed, sha256: 'a'.repeat(64), flows: 1 });
    const catalog = await client.next<{ flows: { id: string; version: string; title: { en: string } }[] }>(
      'help.catalog',
    );
    expect(catalog.flows).toEqual([
      expect.objectContaining({
        id: 'descale',
        version: '1.1.0',
        title: expect.objectContaining({ en: 'Descaling, revised' }),
      }),
    ]);
    expect(help.loadedFlows.map((f) => f.id)).toEqual(['descale']);
    expect((await fetch(`${server.url}/api/help/image?path=images%2Fonly-here.svg`)).status).toBe(200);
    const started = await client.request('help.start', { flowId: 'descale', locale: 'en' });
    expect((started.data as { screen: HelpScreenView }).screen.flow).toMatchObject({
      version: '1.1.0',
      title: 'Descaling, revised',
    });
    expect(await client.request('help.start', { flowId: 'grinder-jammed', locale: 'en' })).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    });
  });
});
