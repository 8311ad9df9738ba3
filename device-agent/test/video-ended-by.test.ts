import { connectAsync, type MqttClient } from 'mqtt';
import { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  deviceTopic,
  Filters,
  header,
  newId,
  signalMessage,
  signalTopic,
  type DeviceEventMessage,
  type SignalMessage,
} from '@touchpoint/protocol';
import { createAgent, type Agent } from '../src/agent.js';
import { kioskProtocols, kioskSecretOf } from '../src/local-server/kiosk-key.js';
import { silentLogger } from '../src/logger.js';
import { startAedes, type TestBroker } from './helpers/aedes.js';
import { FakeBridge } from './helpers/fake-bridge.js';
import { tempDir, testConfig, waitFor } from './helpers/fixtures.js';

/**
 * Who ended a call travels as a typed field of the hang-up, set by the side
 * that ends it (issue 14); the device no longer reads it out of the reason,
 * which staff type freely. Real aedes, the real agent with its touch UI server
 * and video extension; the fleet's side is an MQTT client speaking the
 * protocol's signal messages.
 */
type UiMessage = { type: string } & Record<string, unknown>;

describe('video: who ended the call (real aedes, real agent and UI server)', () => {
  let broker: TestBroker;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let agent: Agent;
  let fleet: MqttClient;
  let ui: WebSocket;
  let uiMessages: UiMessage[];
  let up: SignalMessage[];
  let events: DeviceEventMessage[];

  beforeEach(async () => {
    broker = await startAedes();
    dir = await tempDir();
    agent = await createAgent(
      testConfig(dir.path, { brokerUrl: broker.url, localServer: { enabled: true, port: 0, uiDir: dir.path } }),
      { createBridge: () => new FakeBridge(), logger: silentLogger },
    );
    fleet = await connectAsync(broker.url, { clientId: 'fleet-video', reconnectPeriod: 0 });
    up = [];
    events = [];
    fleet.on('message', (topic, payload) => {
      const body: unknown = JSON.parse(payload.toString());
      if (topic.endsWith('/up')) up.push(signalMessage.parse(body));
      else events.push(body as DeviceEventMessage);
    });
    const upFilter = Filters.deviceSignalsDown('cm-0001').replace(/down$/, 'up');
    await fleet.subscribeAsync([upFilter, deviceTopic('cm-0001', 'events')], { qos: 1 });
    await agent.start();
    await waitFor(() => agent.services.connection.connected, 'agent connected');
    const server = agent.services.localServer!;
    ui = new WebSocket(`${server.url!.replace('http', 'ws')}/ws`, kioskProtocols(kioskSecretOf(server.kioskUrl!)!));
    uiMessages = [];
    ui.on('message', (data) => uiMessages.push(JSON.parse(data.toString()) as UiMessage));
    await new Promise((resolve) => ui.once('open', resolve));
  });
  afterEach(async () => {
    ui?.close();
    await agent.stop();
    await fleet.endAsync(true);
    await broker.close();
    await dir.remove();
  });

  let seq = 0;
  async function down(sessionId: string, body: Record<string, unknown>): Promise<void> {
    const message = signalMessage.parse({
      ...header(),
      sessionId,
      seq: seq++,
      staffId: 'sam',
      from: 'staff',
      ...body,
    });
    await fleet.publishAsync(signalTopic('cm-0001', sessionId, 'down'), JSON.stringify(message), { qos: 1 });
  }

  /** Rings the device and waits until the touchscreen shows it. */
  async function ring(): Promise<string> {
    const sessionId = newId();
    seq = 0;
    await down(sessionId, {
      kind: 'request',
      staffName: 'Sam Support',
      media: { audio: true, video: true },
      expiresAt: Date.now() + 60_000,
    });
    await waitFor(() => uiMessages.some((m) => m.type === 'video.ring' && m.sessionId === sessionId), 'ringing');
    return sessionId;
  }

  const ended = (sessionId: string) =>
    waitFor(() => uiMessages.find((m) => m.type === 'video.ended' && m.sessionId === sessionId), 'video.ended');
  const endedEvent = (sessionId: string) =>
    waitFor(
      () =>
        events.find((e) => e.event.type === 'video' && e.event.sessionId === sessionId && e.event.status !== 'ringing'),
      'the video event in the fleet',
    );

  it('a staff hang-up whose typed reason mentions a phone is still reported as ended by staff', async () => {
    const sessionId = await ring();
    await down(sessionId, { kind: 'hangup', reason: 'customer will call back from their phone', endedBy: 'staff' });
    expect(await ended(sessionId)).toMatchObject({
      endedBy: 'staff',
      reason: 'customer will call back from their phone',
    });
    expect((await endedEvent(sessionId)).event).toMatchObject({ status: 'ended', endedBy: 'staff' });
  });

  it('takes endedBy from the message: phone and timeout as the fleet says', async () => {
    const onPhone = await ring();
    await down(onPhone, { kind: 'hangup', reason: 'answered on the other device', endedBy: 'phone' });
    expect(await ended(onPhone)).toMatchObject({ endedBy: 'phone' });
    expect((await endedEvent(onPhone)).event).toMatchObject({ status: 'ended', endedBy: 'phone' });

    const timedOut = await ring();
    await down(timedOut, { kind: 'hangup', reason: 'timeout', endedBy: 'timeout' });
    expect(await ended(timedOut)).toMatchObject({ endedBy: 'timeout' });
    expect((await endedEvent(timedOut)).event).toMatchObject({ status: 'timeout', endedBy: 'timeout' });
  });

  it('a hang-up without endedBy (an older broker) is staff, whatever its reason says', async () => {
    const sessionId = await ring();
    await down(sessionId, { kind: 'hangup', reason: 'moved to the phone' });
    expect(await ended(sessionId)).toMatchObject({ endedBy: 'staff' });
  });

  it('the device says it ended the call itself: endedBy device on the way up', async () => {
    const sessionId = await ring();
    ui.send(JSON.stringify({ id: 'h1', type: 'video.hangup', sessionId }));
    const hangup = await waitFor(() => up.find((m) => m.kind === 'hangup' && m.sessionId === sessionId), 'hang-up up');
    expect(hangup).toMatchObject({ from: 'device', endedBy: 'device', reason: 'declined on the device' });
    expect(await ended(sessionId)).toMatchObject({ endedBy: 'device' });
  });
});
