import { Socket } from 'node:net';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deviceTopic, presenceMessage, type PresenceMessage } from '@touchpoint/protocol';
import type { AgentEvents } from '../src/agent-events.js';
import { EventBus } from '../src/event-bus.js';
import { silentLogger, type Logger } from '../src/logger.js';
import { MqttConnection } from '../src/mqtt/connection.js';
import { startAedes, type TestBroker } from './helpers/aedes.js';
import { waitFor } from './helpers/fixtures.js';

const DEVICE = 'cm-0001';

describe('MqttConnection', () => {
  let broker: TestBroker;
  let watcher: MqttClient;
  let presence: PresenceMessage[];
  let connection: MqttConnection | undefined;
  let warnings: string[];

  function connect(brokerUrl = broker.url): MqttConnection {
    const logger: Logger = { ...silentLogger, warn: (m) => void warnings.push(m) };
    connection = new MqttConnection({
      deviceId: DEVICE,
      brokerUrl,
      token: 'token-token-token-token',
      keepaliveS: 5,
      reconnect: { minMs: 20, maxMs: 100, connectTimeoutMs: 2_000 },
      presence: () => ({
        model: 'coffee-machine',
        agentVersion: '0.1.0',
        profileVersion: '1.0.0',
        firmwareVersion: '2.4.1',
      }),
      bus: new EventBus<AgentEvents>(silentLogger),
      logger,
    });
    return connection;
  }

  beforeEach(async () => {
    broker = await startAedes();
    warnings = [];
    presence = [];
    watcher = await connectAsync(broker.url, { clientId: 'watcher', reconnectPeriod: 0 });
    watcher.on('message', (_t, payload) => presence.push(presenceMessage.parse(JSON.parse(payload.toString()))));
    await watcher.subscribeAsync(deviceTopic(DEVICE, 'presence'), { qos: 1 });
  });
  afterEach(async () => {
    await connection?.stop();
    connection = undefined;
    await watcher.endAsync(true);
    await broker.close();
    vi.restoreAllMocks();
  });

  it('publishes retained online presence with versions, and the will marks it offline when the socket dies', async () => {
    const noDelay = vi.spyOn(Socket.prototype, 'setNoDelay');
    const conn = connect();
    conn.start();
    const online = await waitFor(() => presence.find((p) => p.state === 'online'), 'online presence');
    expect(online).toMatchObject({
      deviceId: DEVICE,
      model: 'coffee-machine',
      agentVersion: '0.1.0',
      firmwareVersion: '2.4.1',
      profileVersion: '1.0.0',
    });
    expect(noDelay).toHaveBeenCalledWith(true);
    expect(broker.hasClient(DEVICE)).toBe(true);

    broker.dropClient(DEVICE);
    const offline = await waitFor(() => presence.find((p) => p.state === 'offline'), 'offline will');
    expect(offline.connectionId).toBe(online.connectionId);

    // It comes back by itself with a fresh connectionId and publishes presence again.
    const again = await waitFor(() => presence.filter((p) => p.state === 'online')[1], 'second online presence');
    expect(again.connectionId).not.toBe(online.connectionId);
    expect(conn.reconnects).toBe(1);
    expect(warnings.some((w) => w.includes('lost the broker connection'))).toBe(true);
  });

  it('re-subscribes on every connect', async () => {
    const conn = connect();
    const received: string[] = [];
    conn.subscribe(deviceTopic(DEVICE, 'command'), 1, (_t, payload) => void received.push(payload.toString()));
    conn.start();
    await waitFor(() => conn.connected && broker.hasClient(DEVICE), 'connected');
    await new Promise((r) => setTimeout(r, 50));
    await watcher.publishAsync(deviceTopic(DEVICE, 'command'), 'one', { qos: 1 });
    await waitFor(() => received.includes('one'), 'first delivery');
    conn.reconnectNow('test');
    await waitFor(() => conn.reconnects === 1 && conn.connected, 'reconnected');
    await new Promise((r) => setTimeout(r, 50));
    await watcher.publishAsync(deviceTopic(DEVICE, 'command'), 'two', { qos: 1 });
    await waitFor(() => received.includes('two'), 'delivery after reconnect');
  });

  it('publishes the birth only once its subscriptions are acknowledged, so what the fleet sends on a birth arrives (issue 15)', async () => {
    const conn = connect();
    const received: string[] = [];
    conn.subscribe(deviceTopic(DEVICE, 'command'), 1, (_t, payload) => void received.push(payload.toString()));
    conn.subscribe(deviceTopic(DEVICE, 'caseStatus'), 1, (_t, payload) => void received.push(payload.toString()));
    // The fleet's answer to a birth, sent the moment the birth arrives (as broker/src/fleet/online-resync.ts does).
    watcher.on('message', (topic, payload) => {
      const p = presenceMessage.parse(JSON.parse(payload.toString()));
      if (topic !== deviceTopic(DEVICE, 'presence') || p.state !== 'online') return;
      void watcher.publishAsync(deviceTopic(DEVICE, 'command'), `command after ${p.connectionId}`, { qos: 1 });
      void watcher.publishAsync(deviceTopic(DEVICE, 'caseStatus'), `status after ${p.connectionId}`, { qos: 1 });
    });
    // A slow engine: each subscription takes effect 100 ms late, so a birth sent before its SUBACK is answered
    // while the device does not listen yet, and the answer is lost (a new session has nothing to queue it in).
    broker.aedes.authorizeSubscribe = (_client, sub, done) => setTimeout(() => done(null, sub), 100);
    conn.start();
    // The agent learns its firmware version early and refreshes its presence: before the birth, that sends nothing.
    await waitFor(() => conn.connected, 'connected');
    conn.refreshPresence();
    const online = await waitFor(() => presence.find((p) => p.state === 'online'), 'online presence');
    await waitFor(() => received.length === 2, 'both answers to the birth');
    expect(received.sort()).toEqual([`command after ${online.connectionId}`, `status after ${online.connectionId}`]);
    expect(presence.filter((p) => p.state === 'online')).toHaveLength(1);
  });

  it('publishes offline presence on a clean stop', async () => {
    const conn = connect();
    conn.start();
    await waitFor(() => presence.find((p) => p.state === 'online'), 'online');
    await conn.stop();
    connection = undefined;
    await waitFor(() => presence.find((p) => p.state === 'offline'), 'offline on stop');
  });

  it('names a credential refusal in words a person can act on', async () => {
    const strict = await startAedes(0, { refuse: (id) => (id === DEVICE ? 4 : 0) });
    try {
      const conn = connect(strict.url);
      conn.start();
      await waitFor(() => warnings.length >= 1, 'a refused attempt');
      expect(warnings[0]).toContain('broker refused the device credentials (check deviceId and token)');
      await conn.stop();
      connection = undefined;
    } finally {
      await strict.close();
    }
  });

  it('keeps retrying and says clearly that the broker is unreachable', async () => {
    const closed = await startAedes();
    const url = closed.url;
    await closed.close();
    const conn = connect(url);
    conn.start();
    await waitFor(() => warnings.length >= 2, 'two failed attempts');
    expect(warnings[0]).toMatch(
      new RegExp(`broker unreachable at ${url.replace(/[.]/g, '\\.')}: .*ECONNREFUSED.*; retrying in`),
    );
    expect(conn.connected).toBe(false);
  });
});
