import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER, header, signalTopic, type VideoSessionView } from '@touchpoint/protocol';
import { startBroker, type RunningBroker } from '@touchpoint/broker';
import { kioskProtocols, kioskSecretOf } from '@touchpoint/device-agent';
import { eventually, startVirtualDevice, type VirtualDevice } from '../helpers/virtual-device.js';

/**
 * The touchscreen shows only phone links of its pinned origin (issue 12,
 * Low): the real agent (default policy: the broker's host) with a real broker;
 * a forged hand-off on the device's down topic, sent with the fleet's own
 * credential and the call's real binding, never reaches the screen.
 */
let dir: string;
let broker: RunningBroker;
let device: VirtualDevice;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-phone-link-'));
  broker = await startBroker({
    dataDir: join(dir, 'broker'),
    mqttPort: 0,
    httpPort: 0,
    log: 'silent',
    video: { ringTimeoutMs: 30_000 },
  });
  device = await startVirtualDevice(broker, {
    deviceId: 'cm-link-1',
    dataDir: join(dir, 'agent'),
    pty: false,
    speed: 1,
  });
  await eventually(async () => (await broker.fleet.devices.get('cm-link-1'))?.online, 'device online');
});

afterAll(async () => {
  await device?.stop();
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('phone links on the touchscreen', () => {
  it('shows the broker-made loopback link and refuses a link to any other origin', async () => {
    const pushed: { type: string; url?: string }[] = [];
    const ui = new WebSocket(
      `${device.uiUrl.replace('http', 'ws')}/ws`,
      kioskProtocols(kioskSecretOf(device.kioskUrl)!),
    );
    ui.on('message', (data: Buffer) => pushed.push(JSON.parse(data.toString()) as { type: string; url?: string }));
    await new Promise((resolve, reject) => ui.once('open', resolve).once('error', reject));

    const { staff } = await broker.fleet.staff.add('vera', 'agent', 'Vera');
    const login = broker.fleet.staff.createSession(staff.id);
    const base = `http://127.0.0.1:${broker.httpPort}`;
    const res = await fetch(`${base}/api/video/sessions`, {
      method: 'POST',
      headers: {
        cookie: `tp_session=${login.token}`,
        [CSRF_HEADER]: login.csrfToken,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ deviceId: device.deviceId }),
    });
    expect(res.status).toBe(201);
    const { sessionId } = ((await res.json()) as { session: VideoSessionView }).session;
    const real = await eventually(() => pushed.find((m) => m.type === 'video.handoff'), 'the real link on the screen');
    expect(real.url).toMatch(new RegExp(`^${base}/v/[A-Za-z0-9_-]{43}$`));

    // The fleet's credential can publish anything down; the agent is the last check before the customer's eyes.
    const svc = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.mqttPort}`, {
      clientId: 'svc-link-test',
      username: 'service',
      password: broker.serviceToken,
      reconnectPeriod: 0,
    });
    const forge = (seq: number, url: string) =>
      svc.publishAsync(
        signalTopic(device.deviceId, sessionId, 'down'),
        JSON.stringify({ ...header(), sessionId, staffId: staff.id, from: 'staff', seq, kind: 'handoff', url }),
        { qos: 1 },
      );
    const token = 'A'.repeat(43);
    for (const [seq, url] of [
      [100, `https://evil.example/v/${token}`],
      [101, `http://evil.example/v/${token}`],
      [102, `https://127.0.0.1.evil.example/v/${token}`],
      [103, `${base}/elsewhere/${token}`],
      [104, `javascript:alert(1)//v/${token}`],
    ] as const)
      await forge(seq, url);
    // A last, acceptable link on the same path: once it is on screen, every forged one before it was handled.
    const marker = `https://127.0.0.1:1/v/${'B'.repeat(43)}`;
    await forge(105, marker);
    await eventually(() => pushed.some((m) => m.url === marker), 'the marker link on the screen');
    await svc.endAsync();
    ui.close();

    expect(pushed.filter((m) => m.type === 'video.handoff').map((m) => m.url)).toEqual([real.url, marker]);
  });
});
