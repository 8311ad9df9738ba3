import { request } from 'node:http';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceTopic, parseTopic, type DiagnosticsMessage, type DeviceEventMessage } from '@touchpoint/protocol';
import { createAgent, type Agent } from '../src/agent.js';
import { kioskProtocols, kioskSecretOf } from '../src/local-server/kiosk-key.js';
import { silentLogger } from '../src/logger.js';
import { startAedes, type TestBroker } from './helpers/aedes.js';
import { FakeBridge } from './helpers/fake-bridge.js';
import { command, tempDir, testConfig, waitFor } from './helpers/fixtures.js';

/** fetch() may not set Host; a DNS-rebinding page's requests carry the attacker's name there. */
function statusWithHost(url: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
}

interface Received {
  kind: string;
  body: { id: string; ts: number } & Record<string, unknown>;
}

describe('createAgent (real aedes, fake MCU)', () => {
  let broker: TestBroker;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let watcher: MqttClient;
  let received: Received[];
  let agent: Agent | undefined;
  let bridge: FakeBridge;

  async function watch(): Promise<void> {
    watcher = await connectAsync(broker.url, { clientId: 'fleet-watcher', reconnectPeriod: 0, clean: false });
    watcher.on('message', (topic, payload) => {
      const parsed = parseTopic(topic);
      if (parsed) received.push({ kind: parsed.kind, body: JSON.parse(payload.toString()) });
    });
    await watcher.subscribeAsync('tp/v1/d/+/#', { qos: 1 });
  }

  beforeEach(async () => {
    broker = await startAedes();
    dir = await tempDir();
    received = [];
    bridge = new FakeBridge();
    await watch();
  });
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    await watcher.endAsync(true);
    await broker.close();
    await dir.remove();
  });

  const of = <T>(kind: string) => received.filter((r) => r.kind === kind).map((r) => r.body as unknown as T);

  it('publishes diagnostics with MCU, host and agent health, and MCU error events at once', async () => {
    agent = await createAgent(testConfig(dir.path, { brokerUrl: broker.url, diagnosticsIntervalS: 0.1 }), {
      createBridge: () => bridge,
      logger: silentLogger,
      diagnostics: () => ({
        door_open: false,
        'bad key that is far too long to be accepted by the diagnostics schema at all': 1,
      }),
    });
    await agent.start();
    const diag = await waitFor(
      () => of<DiagnosticsMessage>('diagnostics').find((d) => d.mcu.info),
      'diagnostics with MCU info',
    );
    expect(diag.mcu.sensors).toMatchObject({ machine_state: 'idle' });
    expect(diag.mcu.info).toEqual(bridge.info);
    expect(diag.host?.memTotalBytes).toBeGreaterThan(0);
    expect(diag.host?.diskTotalBytes).toBeGreaterThan(0);
    expect(diag.agent).toMatchObject({ link: 'up', outboxDropped: 0 });
    expect(diag.extra).toEqual({ door_open: false });

    bridge.raise({ type: 'error.raised', code: 'E03' });
    const event = await waitFor(
      () => of<DeviceEventMessage>('events').find((e) => e.event.type === 'error.raised'),
      'error event',
    );
    expect(event.event).toEqual({ type: 'error.raised', code: 'E03' });

    bridge.setLink('down', 'unplugged');
    const down = await waitFor(
      () => of<DiagnosticsMessage>('diagnostics').find((d) => d.agent.link === 'down'),
      'link-down diagnostics',
    );
    expect(down.mcu.sensors).toEqual({});
    expect(of<DeviceEventMessage>('events').map((e) => e.event)).toContainEqual({
      type: 'link',
      link: 'down',
      reason: 'unplugged',
    });
  });

  it('keeps running with the serial port missing: says so, retries, and reports the link down', async () => {
    const lines: string[] = [];
    const logger = {
      debug() {},
      info() {},
      warn: (m: string) => void lines.push(m),
      error: (m: string) => void lines.push(m),
    };
    // No createBridge hook: the real firmware bridge on a path that does not exist.
    agent = await createAgent(
      testConfig(dir.path, {
        brokerUrl: broker.url,
        diagnosticsIntervalS: 0.1,
        serial: { path: join(dir.path, 'ttyMISSING') },
      }),
      { logger },
    );
    await agent.start();
    const diag = await waitFor(() => of<DiagnosticsMessage>('diagnostics')[0], 'diagnostics without an MCU');
    expect(diag.agent.link).not.toBe('up');
    expect(diag.mcu).toEqual({ sensors: {}, errors: [] });
    expect(lines.some((l) => l.includes('ttyMISSING'))).toBe(true);
    expect(agent.services.connection.connected).toBe(true);
  });

  it('keeps producing reports while the broker is away and delivers each in order once it is back', async () => {
    agent = await createAgent(testConfig(dir.path, { brokerUrl: broker.url, diagnosticsIntervalS: 0.05 }), {
      createBridge: () => bridge,
      logger: silentLogger,
    });
    await agent.start();
    await waitFor(() => of('diagnostics').length >= 2, 'first diagnostics');
    const port = broker.port;
    await watcher.endAsync(true);
    await broker.close();
    const outbox = agent.services.outbox;
    await waitFor(() => outbox.depth >= 10, 'reports queued while offline');
    bridge.raise({ type: 'error.raised', code: 'E01' });
    broker = await startAedes(port, { hold: (id) => id === 'cm-0001' });
    received = [];
    await watch();
    broker.release();
    await waitFor(() => agent!.services.connection.connected && outbox.depth === 0, 'outbox drained', 10_000);
    // A PUBACK can reach the agent before the broker's copy reaches the watcher: wait for the last report queued.
    await waitFor(
      () => of<DeviceEventMessage>('events').some((e) => e.event.type === 'error.raised' && e.event.code === 'E01'),
      'the E01 event',
    );
    const diagIds = of<DiagnosticsMessage>('diagnostics').map((d) => d.id);
    expect(new Set(diagIds).size).toBe(diagIds.length);
    const ts = of<DiagnosticsMessage>('diagnostics').map((d) => d.ts);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(agent.health().reconnects).toBeGreaterThanOrEqual(1);
  });

  it('takes a command from MQTT, runs it and publishes the results', async () => {
    agent = await createAgent(testConfig(dir.path, { brokerUrl: broker.url }), {
      createBridge: () => bridge,
      logger: silentLogger,
    });
    await agent.start();
    await waitFor(() => agent!.services.connection.connected, 'connected');
    const cmd = command({ params: { size: 3 } });
    await watcher.publishAsync(deviceTopic('cm-0001', 'command'), JSON.stringify(cmd), { qos: 1 });
    const results = await waitFor(() => {
      const r = of<{ commandId: string; status: string }>('commandResult').filter((x) => x.commandId === cmd.id);
      return r.length === 2 && r;
    }, 'two results');
    expect(results.map((r) => r.status)).toEqual(['accepted', 'succeeded']);
    expect(bridge.sensors.grind_size).toBe(3);
  });

  it('restarts in-process on agent.restart and keeps taking commands', async () => {
    agent = await createAgent(testConfig(dir.path, { brokerUrl: broker.url }), {
      createBridge: () => bridge,
      logger: silentLogger,
    });
    await agent.start();
    await waitFor(() => agent!.services.connection.connected, 'connected');
    const restart = command({ action: 'agent.restart', params: {} });
    await watcher.publishAsync(deviceTopic('cm-0001', 'command'), JSON.stringify(restart), { qos: 1 });
    await waitFor(
      () => agent!.services.connection.reconnects >= 1 && agent!.services.connection.connected,
      'reconnected after the restart',
    );
    const after = command({ params: { size: 9 } });
    await watcher.publishAsync(deviceTopic('cm-0001', 'command'), JSON.stringify(after), { qos: 1 });
    await waitFor(() => bridge.sensors.grind_size === 9, 'a command after the restart ran');
    // Once per message id: a result whose receipt the restart cut off goes again with its id, which the fleet stores once.
    const statuses = (id: string) => [
      ...new Map(
        of<{ id: string; commandId: string; status: string }>('commandResult')
          .filter((r) => r.commandId === id)
          .map((r) => [r.id, r.status]),
      ).values(),
    ];
    await waitFor(() => statuses(after.id).includes('succeeded'), 'result after the restart');
    expect(statuses(restart.id)).toEqual(['accepted', 'succeeded']);
  });

  it('serves the UI contract on loopback and lets an extension add request types', async () => {
    agent = await createAgent(
      testConfig(dir.path, { brokerUrl: broker.url, localServer: { enabled: true, port: 0, uiDir: dir.path } }),
      {
        createBridge: () => bridge,
        logger: silentLogger,
        extensions: ({ localServer }) => [
          {
            name: 'echo',
            start: () =>
              void localServer!.handle(
                'echo.say',
                z.object({ id: z.string(), type: z.literal('echo.say'), text: z.string().max(10) }),
                (req) => ({ said: req.text }),
              ),
            stop: () => {},
          },
        ],
      },
    );
    await agent.start();
    const url = agent.services.localServer!.url!;
    const ws = new WebSocket(
      `${url.replace('http', 'ws')}/ws`,
      kioskProtocols(kioskSecretOf(agent.services.localServer!.kioskUrl!)!),
    );
    const messages: ({ type: string; replyTo?: string } & Record<string, unknown>)[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
    await new Promise((resolve) => ws.once('open', resolve));
    const hello = await waitFor(() => messages.find((m) => m.type === 'hello'), 'hello');
    expect(hello).toMatchObject({ deviceId: 'cm-0001', model: 'coffee-machine', profileVersion: '1.0.0' });
    ws.send(JSON.stringify({ id: 'r1', type: 'echo.say', text: 'hi' }));
    ws.send(JSON.stringify({ id: 'r2', type: 'echo.say', text: 'far too long for the schema' }));
    ws.send(JSON.stringify({ id: 'r3', type: 'nobody.home' }));
    ws.send('not json');
    const reply = (id: string) => waitFor(() => messages.find((m) => m.type === 'reply' && m.replyTo === id), id);
    expect(await reply('r1')).toMatchObject({ ok: true, data: { said: 'hi' } });
    expect(await reply('r2')).toMatchObject({ ok: false, code: 'SCHEMA_INVALID' });
    expect(await reply('r3')).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(
      await waitFor(() => messages.find((m) => m.type === 'reply' && m.code === 'BAD_JSON'), 'bad json reply'),
    ).toBeTruthy();
    bridge.raise({ type: 'state', sensors: { water_tank_level: 12 } });
    const state = await waitFor(
      () =>
        messages.find(
          (m) => m.type === 'state' && (m.state as { sensors: Record<string, number> }).sensors.water_tank_level === 12,
        ),
      'live state',
    );
    expect(state).toBeTruthy();
    ws.close();

    // Host header from a rebinding attack is refused; the UI dir without index.html answers 503 with a hint.
    expect(await statusWithHost(`${url}/api/state`, 'evil.example:80')).toBe(403);
    const index = await fetch(`${url}/`);
    expect(index.status).toBe(503);
    expect(await index.text()).toContain('not built');
    const api = await fetch(`${url}/api/state`);
    expect(await api.json()).toMatchObject({ link: 'up' });
  });
});
