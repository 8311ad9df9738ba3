import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MODELS_DIR } from '@touchpoint/models';
import {
  header,
  type DeviceEvent,
  type PhoneDownMessage,
  type PhoneUpMessage,
  type SensorValue,
  type UiPhoneState,
  uiPhoneStateMessage,
} from '@touchpoint/protocol';
import type { AgentEvents } from '../src/agent-events.js';
import { EventBus } from '../src/event-bus.js';
import { HelpSessionExtension } from '../src/extensions/help-session/help-session-extension.js';
import { PhoneAccessExtension } from '../src/extensions/phone-access/phone-access-extension.js';
import type { HelpPort } from '../src/help/port.js';
import type { UiRequestHandler } from '../src/local-server/local-server.js';
import { silentLogger } from '../src/logger.js';
import type { MessageHandler } from '../src/mqtt/connection.js';
import { loadProfile } from '../src/profile-loader.js';

/**
 * The phone's access on the device (issue 17), with the real help session and flow engine on the coffee
 * machine's flows; the MQTT connection, the touchscreen and the MCU are the fakes at the edges. What the
 * device must hold whatever the fleet relays: only a code the customer asked for and of its own origin,
 * steps only from the phone that holds access and each once, confirmation on the phone only where the
 * profile allows it, nothing once the customer ended the access on the touchscreen.
 */
const MODEL_DIR = join(DEFAULT_MODELS_DIR, 'coffee-machine');
const profile = loadProfile(MODEL_DIR);
const DEVICE = 'cm-phone-unit';
const DOWN = `tp/v1/d/${DEVICE}/phone/down`;
const LINK = `http://127.0.0.1:8080/p/${'A'.repeat(43)}`;

class FakeMcu implements HelpPort {
  sensors: Record<string, SensorValue> = {
    machine_state: 'idle',
    water_tank_level: 80,
    grind_size: 3,
    brew_strength: 3,
  };
  runs: string[] = [];
  async readSensors() {
    return { ...this.sensors };
  }
  async readErrors() {
    return [];
  }
  async runAction(name: string, params: Record<string, unknown>, onProgress: (p: number) => void) {
    this.runs.push(name);
    onProgress(100);
    if (name === 'set_brew_strength') this.sensors.brew_strength = params.strength as number;
    return { ok: true };
  }
}

let bus: EventBus<AgentEvents>;
let mcu: FakeMcu;
let help: HelpSessionExtension;
let phone: PhoneAccessExtension;
let handlers: Map<string, MessageHandler>;
let up: PhoneUpMessage[];
let shown: (UiPhoneState | null)[];
let ui: Map<string, UiRequestHandler<never>>;
let events: DeviceEvent[];

/** A message from the fleet; the extension handles it without returning a promise to wait on. */
const down = (body: Record<string, unknown>): void =>
  void handlers.get(DOWN)!(DOWN, Buffer.from(JSON.stringify({ ...header(), ...body } as PhoneDownMessage)));
const tap = (type: string) => ui.get(type)!({ id: 'r1', type } as never, { id: 'c1', send: () => undefined });
const views = () => up.filter((m) => m.kind === 'view');
const lastScreen = () => {
  const v = views().at(-1);
  return v?.kind === 'view' ? v.view : undefined;
};

beforeEach(async () => {
  bus = new EventBus<AgentEvents>(silentLogger);
  mcu = new FakeMcu();
  handlers = new Map();
  up = [];
  shown = [];
  ui = new Map();
  events = [];
  const connection = {
    subscribe: (topic: string, _qos: 0 | 1 | 2, handler: MessageHandler) => {
      handlers.set(topic, handler);
      return () => handlers.delete(topic);
    },
    publish: async (_topic: string, payload: string | Buffer) => {
      up.push(JSON.parse(payload.toString()) as PhoneUpMessage);
    },
    connected: true,
  };
  help = new HelpSessionExtension({
    deviceId: DEVICE,
    profile,
    modelDir: MODEL_DIR,
    port: mcu,
    bus,
    reporter: {
      event: (event) => {
        events.push(event);
        return { ...header(), deviceId: DEVICE, event };
      },
      case: (input) => ({ ...header(), deviceId: DEVICE, ...input }),
    },
    connection,
    diagnostics: { build: async () => undefined as never },
    localServer: undefined,
    logger: silentLogger,
    readErrors: async () => [],
  });
  phone = new PhoneAccessExtension({
    deviceId: DEVICE,
    profile,
    connection,
    localServer: {
      handle: (type, _schema, handler) => {
        ui.set(type, handler as UiRequestHandler<never>);
        return () => ui.delete(type);
      },
      broadcast: (message) => {
        if (message.type === 'phone.state') shown.push(uiPhoneStateMessage.parse(message).phone);
      },
      onClient: () => () => undefined,
    },
    help,
    bus,
    phoneLinks: { host: '127.0.0.1' },
    logger: silentLogger,
    viewDelayMs: 0,
  });
  await help.start();
  await phone.start();
});

afterEach(async () => {
  await phone.stop();
  await help.stop();
});

describe('the phone access on the device', () => {
  it('shows only a code it asked for, of its own origin', async () => {
    down({ kind: 'link', accessId: 'a1', url: LINK, expiresAt: Date.now() + 60_000 });
    expect(shown).toEqual([]);
    await tap('phone.link');
    expect(up.map((m) => m.kind)).toEqual(['link.request']);
    down({ kind: 'link', accessId: 'a1', url: `https://evil.example/p/${'A'.repeat(43)}`, expiresAt: 1 });
    down({ kind: 'link', accessId: 'a1', url: `http://127.0.0.1:8080/v/${'A'.repeat(43)}`, expiresAt: 1 });
    expect(shown).toEqual([{ status: 'requesting' }]);
    down({ kind: 'link', accessId: 'a1', url: LINK, expiresAt: 5 });
    expect(phone.state).toEqual({ status: 'offered', url: LINK, expiresAt: 5 });
  });

  it("runs the holder's steps once, confirms on the phone only what the profile allows, and stops at the end", async () => {
    await tap('phone.link');
    down({ kind: 'link', accessId: 'a1', url: LINK, expiresAt: Date.now() + 60_000 });
    down({ kind: 'claimed', accessId: 'a1', expiresAt: Date.now() + 60_000 });
    await vi.waitFor(() => expect(views()).toHaveLength(1));
    expect(phone.state?.status).toBe('connected');

    // clear_grinder needs the customer at the machine: the phone's confirmation is refused, nothing runs.
    down({ kind: 'step', accessId: 'a1', seq: 0, step: { type: 'start', flowId: 'grinder-jammed', locale: 'en' } });
    await vi.waitFor(() => expect(lastScreen()?.screen?.stepId).toBe('ask_object'));
    const sessionId = lastScreen()!.screen!.sessionId;
    down({ kind: 'step', accessId: 'a1', seq: 1, step: { type: 'choose', sessionId, choiceId: 'no' } });
    await vi.waitFor(() => expect(lastScreen()?.screen?.stepId).toBe('clear'));
    expect(lastScreen()?.confirmOnPhone).toBe(false);
    down({ kind: 'step', accessId: 'a1', seq: 2, step: { type: 'confirm', sessionId } });
    await vi.waitFor(() =>
      expect(up.find((m) => m.kind === 'step.refused')).toMatchObject({ seq: 2, code: 'NOT_AUTHORIZED' }),
    );
    expect(mcu.runs).toEqual([]);

    // A replayed step number and another access's step do nothing.
    down({ kind: 'step', accessId: 'a1', seq: 1, step: { type: 'cancel', sessionId } });
    down({ kind: 'step', accessId: 'other', seq: 9, step: { type: 'cancel', sessionId } });
    expect(help.currentScreen?.stepId).toBe('clear');

    // set_brew_strength may be confirmed on the phone: it runs on the MCU, after a check of the live sensor.
    down({ kind: 'step', accessId: 'a1', seq: 3, step: { type: 'start', flowId: 'coffee-too-weak', locale: 'en' } });
    await vi.waitFor(() => expect(lastScreen()?.screen?.stepId).toBe('ask_symptom'));
    const weak = lastScreen()!.screen!.sessionId;
    down({ kind: 'step', accessId: 'a1', seq: 4, step: { type: 'choose', sessionId: weak, choiceId: 'watery' } });
    await vi.waitFor(() => expect(lastScreen()?.screen?.stepId).toBe('set_stronger'));
    expect(lastScreen()?.confirmOnPhone).toBe(true);
    down({ kind: 'step', accessId: 'a1', seq: 5, step: { type: 'confirm', sessionId: weak } });
    await vi.waitFor(() => expect(mcu.runs).toEqual(['set_brew_strength']));
    await vi.waitFor(() => expect(help.currentScreen?.stepId).toBe('ask_better_strength'));
    const traced = events.flatMap((e) => (e.type === 'help' && e.sessionId === weak ? [e.entry] : []));
    expect(traced.filter((t) => t.kind === 'check').map((t) => ('via' in t ? t.via : 'none'))).toEqual([
      'phone',
      'phone',
    ]);
    expect(traced.find((t) => t.kind === 'action' && t.status === 'confirmed')).toMatchObject({ via: 'phone' });

    // The customer ends it on the touchscreen: the fleet is told, and the phone's next step does nothing.
    await tap('phone.end');
    expect(up.at(-1)).toMatchObject({ kind: 'end', accessId: 'a1' });
    expect(shown.at(-1)).toBeNull();
    down({ kind: 'step', accessId: 'a1', seq: 6, step: { type: 'close' } });
    // A step is taken or dropped before the event loop turns (a taken one would have abandoned the session).
    await new Promise((resolve) => setImmediate(resolve));
    expect(help.currentScreen?.stepId).toBe('ask_better_strength');
    expect(events.some((e) => e.type === 'help' && e.sessionId === weak && e.entry.kind === 'outcome')).toBe(false);
    // Nor did the replayed or foreign cancel of clear_grinder ever run.
    expect(events.some((e) => e.type === 'help' && e.entry.kind === 'action' && e.entry.status === 'cancelled')).toBe(
      false,
    );
  });
});
