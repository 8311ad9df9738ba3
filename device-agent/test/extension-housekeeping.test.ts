import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceTopic, parseTopic, type DiagnosticsMessage } from '@touchpoint/protocol';
import { createAgent, type Agent } from '../src/agent.js';
import type { AgentServices } from '../src/agent-services.js';
import { ExtensionBase } from '../src/extension-base.js';
import type { ExtensionContext } from '../src/extension-context.js';
import type { Logger } from '../src/logger.js';
import { startAedes, type TestBroker } from './helpers/aedes.js';
import { FakeBridge } from './helpers/fake-bridge.js';
import { tempDir, testConfig, waitFor } from './helpers/fixtures.js';

/** Issue 14: listeners registered through an extension's context go when it stops; an optional extension that fails is isolated. */

const PROBE_TOPIC = deviceTopic('cm-0001', 'command').replace(/command$/, 'probe');

/** Registers one of each kind of listener through its context and records what reaches it. */
class ProbeExtension extends ExtensionBase {
  readonly name = 'probe';
  readonly heard: string[] = [];
  ticks = 0;
  constructor(private readonly services: AgentServices) {
    super();
  }
  protected onStart(context: ExtensionContext): void {
    const { bus, connection } = this.services;
    context.on(bus, 'mcu.event', (event) => void this.heard.push(`bus:${event.type}`));
    context.subscribe(connection, PROBE_TOPIC, 1, (_topic: string, payload: Buffer) => {
      this.heard.push(`mqtt:${payload.toString()}`);
    });
    context.every(5, () => void this.ticks++);
  }
}

/** Registers a bus listener, then fails. */
class BrokenExtension extends ExtensionBase {
  readonly name = 'broken';
  heard = 0;
  constructor(
    private readonly services: AgentServices,
    override readonly optional: boolean,
  ) {
    super();
  }
  protected onStart(context: ExtensionContext): void {
    context.on(this.services.bus, 'mcu.event', () => void this.heard++);
    throw new Error('no such peripheral /dev/broken');
  }
}

function recordingLogger(): Logger & { lines: { level: string; message: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push({ level, message, ...(fields ? { fields } : {}) });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), lines };
}

describe('extension housekeeping (real aedes, real agent, fake MCU)', () => {
  let broker: TestBroker;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let agent: Agent | undefined;
  let bridge: FakeBridge;
  let fleet: MqttClient;

  beforeEach(async () => {
    broker = await startAedes();
    dir = await tempDir();
    bridge = new FakeBridge();
    fleet = await connectAsync(broker.url, { clientId: 'fleet-test', reconnectPeriod: 0 });
  });
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    await fleet.endAsync(true);
    await broker.close();
    await dir.remove();
  });

  it('an extension that stopped hears nothing more: bus, MQTT and timers are removed without its own bookkeeping', async () => {
    const logger = recordingLogger();
    let probe: ProbeExtension | undefined;
    agent = await createAgent(testConfig(dir.path, { brokerUrl: broker.url }), {
      createBridge: () => bridge,
      logger,
      extensions: (services) => [(probe = new ProbeExtension(services))],
    });
    const listenersBefore = agent.services.bus.listenerCount('mcu.event');
    await agent.start();
    const services = agent.services;
    await waitFor(() => services.connection.connected, 'connected');
    const p = probe!;

    bridge.raise({ type: 'error.raised', code: 'E01' });
    await fleet.publishAsync(PROBE_TOPIC, 'one', { qos: 1 });
    await waitFor(() => p.heard.includes('mqtt:one') && p.ticks > 0, 'the probe hears bus, MQTT and its timer');
    expect(p.heard).toContain('bus:error.raised');
    expect(p.registrations).toBe(3);

    await p.stop();
    expect(p.registrations).toBe(0);
    const heard = p.heard.length;
    const ticks = p.ticks;
    bridge.raise({ type: 'error.cleared', code: 'E01' }); // the bus calls listeners synchronously
    expect(p.heard.length).toBe(heard);
    await fleet.publishAsync(PROBE_TOPIC, 'two', { qos: 1 });
    // The message still reaches the agent, which now has no handler for it and says so.
    await waitFor(
      () =>
        logger.lines.some(
          (l) => l.message.endsWith('message on an unexpected topic') && l.fields?.topic === PROBE_TOPIC,
        ),
      'the unhandled probe message logged',
    );
    expect(p.heard.length).toBe(heard);
    expect(p.ticks).toBe(ticks);

    // A restart of every extension leaves as many bus listeners as one start did: none is registered twice.
    await p.start();
    const listenersRunning = services.bus.listenerCount('mcu.event');
    expect(listenersRunning).toBeGreaterThan(listenersBefore);
    await agent.restart('test');
    expect(services.bus.listenerCount('mcu.event')).toBe(listenersRunning);
    await agent.stop();
    expect(services.bus.listenerCount('mcu.event')).toBe(listenersBefore);
  });

  it('an optional extension whose start throws is logged, reported in health and diagnostics, and the agent runs on', async () => {
    const logger = recordingLogger();
    const received: DiagnosticsMessage[] = [];
    fleet.on('message', (topic, payload) => {
      if (parseTopic(topic)?.kind === 'diagnostics')
        received.push(JSON.parse(payload.toString()) as DiagnosticsMessage);
    });
    await fleet.subscribeAsync(deviceTopic('cm-0001', 'diagnostics'), { qos: 1 });
    let broken: BrokenExtension | undefined;
    agent = await createAgent(testConfig(dir.path, { brokerUrl: broker.url, diagnosticsIntervalS: 0.05 }), {
      createBridge: () => bridge,
      logger,
      extensions: (services) => [(broken = new BrokenExtension(services, true))],
    });
    await agent.start();

    expect(agent.health().failedExtensions).toEqual(['broken']);
    // What it registered before it threw is gone with it.
    expect(broken!.registrations).toBe(0);
    bridge.raise({ type: 'error.raised', code: 'E01' });
    expect(broken!.heard).toBe(0);
    const error = logger.lines.find((l) => l.level === 'error' && l.fields?.extension === 'broken');
    expect(error?.message).toContain('optional extension broken failed to start');
    expect(error?.fields).toMatchObject({ code: 'INTERNAL', error: 'no such peripheral /dev/broken' });

    // The rest of the agent works: it connects and its diagnostics say which extension is missing.
    const diag = await waitFor(() => received.find((d) => d.agent.failedExtensions), 'diagnostics from the agent');
    expect(diag.agent.failedExtensions).toEqual(['broken']);
  });

  it('a required extension whose start throws fails the start with its name, and what had started is stopped', async () => {
    agent = await createAgent(testConfig(dir.path, { brokerUrl: broker.url }), {
      createBridge: () => bridge,
      logger: recordingLogger(),
      extensions: (services) => [new BrokenExtension(services, false)],
    });
    const listenersBefore = agent.services.bus.listenerCount('mcu.event');
    await expect(agent.start()).rejects.toThrow('the broken extension failed to start: no such peripheral /dev/broken');
    expect(agent.services.bus.listenerCount('mcu.event')).toBe(listenersBefore);
    expect(bridge.link).toBe('down'); // the MCU link, started first, was closed again
  });
});
