import mqtt from 'mqtt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PhoneClaimResponse, VideoSessionView } from '@touchpoint/protocol';
import { eventually, startTestBroker, type TestBroker } from './helpers.js';
import {
  FakeVideoDevice,
  call,
  httpBase,
  openSse,
  staffLogin,
  streamEnds,
  tokenOf,
  type SseStream,
  type StaffLogin,
} from './video-helpers.js';

/**
 * A staff member's video reach ends with their session (issue 12, item 5),
 * and the phone link and TURN credentials reach only the parties of the call
 * (issue 12, item 2). A real broker with TURN configured, the device as a
 * real MQTT.js client, staff over HTTP and SSE as the console uses them.
 */
const TURN_SECRET = 'turn-shared-secret-for-tests';
let tb: TestBroker;
let admin: StaffLogin;
let device: FakeVideoDevice;
const devices: FakeVideoDevice[] = [];
const streams: SseStream[] = [];

beforeAll(async () => {
  tb = await startTestBroker({
    video: { ringTimeoutMs: 30_000, turn: { urls: ['turn:turn.example.com:3478'], secret: TURN_SECRET } },
  });
  admin = await staffLogin(tb, 'adam', 'admin');
});

beforeEach(async () => {
  device = await FakeVideoDevice.connect(tb, `cm-staff-${devices.length + 1}`);
  devices.push(device);
});

afterAll(async () => {
  for (const s of streams) s.close();
  for (const d of devices) await d.end();
  await tb?.cleanup();
});

async function startCall(staff: StaffLogin): Promise<VideoSessionView> {
  const res = await call<{ session: VideoSessionView }>(tb, 'POST', '/api/video/sessions', {
    staff,
    body: { deviceId: device.deviceId },
  });
  expect(res.status).toBe(201);
  await device.link(res.body.session.sessionId, 0);
  return res.body.session;
}

async function sse(path: string, staff: StaffLogin): Promise<SseStream> {
  const stream = await openSse(`${httpBase(tb)}${path}`, { cookie: staff.cookie });
  streams.push(stream);
  expect(stream.status).toBe(200);
  return stream;
}

/**
 * A staff member's browser session trying MQTT over WebSocket, the way a viewer read every call's signalling
 * on 172f5cf: if the broker lets it in at all, it subscribes to every device's down topics and keeps what arrives.
 */
function staffMqttSpy(staff: StaffLogin): Promise<{ connected: boolean; received: string[]; close(): void }> {
  return new Promise((resolve) => {
    const received: string[] = [];
    const client = mqtt.connect(`ws://127.0.0.1:${tb.broker.httpPort}/mqtt`, {
      clientId: `staff-spy-${staff.id}`,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      wsOptions: { headers: { cookie: staff.cookie } },
    });
    const close = () => void client.endAsync(true);
    client.on('message', (_topic, payload) => received.push(payload.toString()));
    client.once('connect', () => {
      void client.subscribeAsync(['tp/v1/d/+/+/+/down', 'tp/v1/d/+/rtc/#'], { qos: 1 }).then(
        () => resolve({ connected: true, received, close }),
        () => resolve({ connected: true, received, close }),
      );
    });
    client.once('error', () => resolve({ connected: false, received, close }));
    client.once('close', () => resolve({ connected: false, received, close }));
  });
}

const videoEvents = (sessionId: string, staff: StaffLogin) => sse(`/api/video/sessions/${sessionId}/events`, staff);
const viewOf = async (sessionId: string) =>
  (await tb.broker.fleet.audit.list({ limit: 1000 })).filter((e) => e.target === sessionId);
const states = (stream: SseStream) =>
  stream.events.filter((e) => e.data.type === 'state').map((e) => (e.data.session as VideoSessionView).status);

describe('a staff session ends its video reach (issue 12, item 5)', () => {
  it('logout closes the video event stream and ends the call it started, audited', async () => {
    const vera = await staffLogin(tb, 'vera', 'agent');
    const other = await staffLogin(tb, 'vera', 'agent'); // the same member in a second browser
    const { sessionId } = await startCall(vera);
    const stream = await videoEvents(sessionId, vera);
    await device.up(sessionId, { kind: 'consent', decision: 'accepted' });
    await eventually(() => states(stream).includes('accepted'), 5_000, 'the console to see the accepted call');
    const downBefore = device.down.length;

    expect((await call(tb, 'POST', '/api/logout', { staff: vera, body: {} })).status).toBe(200);
    await streamEnds(stream, 'the video event stream to close at logout');
    await device.waitFor(sessionId, 'the hang-up after logout', (m) => m.kind === 'hangup', downBefore);
    const view = (
      await call<{ session: VideoSessionView }>(tb, 'GET', `/api/video/sessions/${sessionId}`, { staff: other })
    ).body.session;
    expect(view).toMatchObject({ status: 'ended', endedBy: 'staff', outcome: 'hangup' });
    const end = (await viewOf(sessionId)).find((e) => e.action === 'video.end');
    expect(end).toMatchObject({ actor: 'system', outcome: 'ok' });
    expect(end!.detail).toMatchObject({
      endedBy: 'staff',
      reason: 'the staff session ended (logout)',
      staffId: vera.id,
    });
    // The logged-out cookie opens nothing any more.
    expect(
      (await openSse(`${httpBase(tb)}/api/video/sessions/${sessionId}/events`, { cookie: vera.cookie })).status,
    ).toBe(401);
  });

  it('a role change closes the streams of every session of the member and ends their calls', async () => {
    const carl = await staffLogin(tb, 'carl', 'agent');
    const carl2 = await staffLogin(tb, 'carl', 'agent');
    const { sessionId } = await startCall(carl);
    const a = await videoEvents(sessionId, carl);
    const b = await videoEvents(sessionId, carl2);
    const downBefore = device.down.length;

    expect((await call(tb, 'POST', `/api/staff/${carl.id}`, { staff: admin, body: { role: 'viewer' } })).status).toBe(
      200,
    );
    await streamEnds(a, 'the stream of the session that started the call to close');
    await streamEnds(b, "the stream of the member's second session to close");
    await device.waitFor(sessionId, 'the hang-up after the role change', (m) => m.kind === 'hangup', downBefore);
    expect((await viewOf(sessionId)).find((e) => e.action === 'video.end')!.detail).toMatchObject({
      reason: 'the staff session ended (role)',
    });
  });

  it('disabling a member ends their ringing call', async () => {
    const dora = await staffLogin(tb, 'dora', 'agent');
    const { sessionId } = await startCall(dora);
    const stream = await videoEvents(sessionId, dora);
    expect((await call(tb, 'POST', `/api/staff/${dora.id}`, { staff: admin, body: { disabled: true } })).status).toBe(
      200,
    );
    await streamEnds(stream, 'the stream to close when the member is disabled');
    await eventually(
      async () => (await viewOf(sessionId)).some((e) => e.action === 'video.end'),
      5_000,
      'the call to end',
    );
    expect((await viewOf(sessionId)).find((e) => e.action === 'video.end')!.detail).toMatchObject({
      reason: 'the staff session ended (disabled)',
    });
  });

  it('the stream re-checks its session before every event: an expired session gets nothing more and its call ends', async () => {
    const eve = await staffLogin(tb, 'eve', 'agent');
    const { sessionId } = await startCall(eve);
    const stream = await videoEvents(sessionId, eve);
    await eventually(() => states(stream).includes('ringing'), 5_000, 'the first state on the stream');
    // The session runs out without anyone telling the video service (no logout, no admin change).
    tb.broker.fleet.db.prepare('UPDATE staff_sessions SET expires_at = 1 WHERE staff_id = ?').run(eve.id);

    await device.up(sessionId, { kind: 'consent', decision: 'accepted' });
    await streamEnds(stream, 'the stream to close on its next event');
    expect(states(stream)).toEqual(['ringing']);
    await eventually(
      async () => (await viewOf(sessionId)).some((e) => e.action === 'video.end'),
      5_000,
      'the call to end',
    );
    expect((await viewOf(sessionId)).find((e) => e.action === 'video.end')!.detail).toMatchObject({
      reason: 'the staff session ended (no longer valid)',
    });
  });
});

describe('the phone link and TURN credentials reach only the call (issue 12, item 2)', () => {
  it('no staff-facing API or stream carries a phone link, a phone key or a TURN credential', async () => {
    const vera = await staffLogin(tb, 'vera2', 'agent');
    const viewer = await staffLogin(tb, 'victor', 'viewer');
    const lives = [
      await sse('/api/live', viewer),
      await sse(`/api/live?device=${device.deviceId}`, viewer),
      await sse('/api/live', admin),
      await sse(`/api/live?device=${device.deviceId}`, admin),
    ];
    const spies = [await staffMqttSpy(viewer), await staffMqttSpy(vera), await staffMqttSpy(admin)];

    const session = await startCall(vera);
    const { sessionId } = session;
    const console = await videoEvents(sessionId, vera);
    await device.up(sessionId, { kind: 'handoff-request' });
    const links = [await device.link(sessionId, 0), await device.link(sessionId, 1)];
    const claim = await call<PhoneClaimResponse>(tb, 'POST', '/api/video/phone/claim', {
      body: { token: tokenOf(links[1]!) },
    });
    expect(claim.status).toBe(200);
    expect(
      (
        await call(tb, 'POST', `/api/video/phone/${sessionId}/consent`, {
          bearer: claim.body.key,
          body: { decision: 'accepted' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(tb, 'POST', `/api/video/phone/${sessionId}/signal`, {
          bearer: claim.body.key,
          body: {
            seq: 0,
            signal: {
              kind: 'ice',
              candidate: 'candidate:1 1 udp 1 192.0.2.1 5000 typ host',
              sdpMid: '0',
              sdpMLineIndex: 0,
            },
          },
        })
      ).status,
    ).toBe(202);
    await eventually(
      () => console.events.some((e) => e.data.type === 'signal'),
      5_000,
      "the phone's candidate on the console stream",
    );
    expect((await call(tb, 'POST', `/api/video/sessions/${sessionId}/hangup`, { staff: vera, body: {} })).status).toBe(
      200,
    );
    await eventually(() => lives.every((l) => l.raw().length > 0), 5_000, 'every live stream to say hello');

    const turn = session.iceServers.find((s) => s.credential);
    expect(turn?.credential).toBeTruthy(); // the caller needs it for their own peer connection
    const secrets = [...links.map(tokenOf), claim.body.key, turn!.credential!, TURN_SECRET];
    const staffSeen: [string, string][] = [
      ['video events', console.raw()],
      ['session view', (await call(tb, 'GET', `/api/video/sessions/${sessionId}`, { staff: vera })).text],
      ...lives.map((l, i) => [`live #${i}`, l.raw()] as [string, string]),
    ];
    for (const staff of [viewer, admin]) {
      for (const path of [
        `/api/devices/${device.deviceId}`,
        `/api/devices/${device.deviceId}/timeline`,
        `/api/audit?limit=500`,
        `/api/audit?deviceId=${device.deviceId}&limit=500`,
      ]) {
        const res = await call(tb, 'GET', path, { staff });
        expect(res.status, path).toBe(200);
        staffSeen.push([`${path} as ${staff.id}`, res.text]);
      }
    }
    // What the caller's console gets: the links and the phone's key never, the TURN credential only in its own session.
    for (const [where, text] of staffSeen) {
      for (const secret of secrets.slice(0, 3))
        expect(text.includes(secret), `${where} carries a phone secret`).toBe(false);
      // Only the caller's own call stream had it, while the call ran; the view after the call no longer does.
      if (where !== 'video events')
        expect(text.includes(turn!.credential!), `${where} carries the TURN credential`).toBe(false);
      expect(text.includes(TURN_SECRET), `${where} carries the TURN secret`).toBe(false);
    }
    // No staff identity has MQTT at all, so nothing of the call's signalling reached one.
    for (const spy of spies) spy.close();
    for (const text of spies.flatMap((s) => s.received))
      for (const secret of secrets) expect(text.includes(secret), 'a staff MQTT client got a call secret').toBe(false);
    expect(spies.map((s) => s.connected)).toEqual([false, false, false]);
    // Another staff member cannot read the call (and its TURN credential) at all.
    expect((await call(tb, 'GET', `/api/video/sessions/${sessionId}`, { staff: admin })).status).toBe(401);
  });
});
