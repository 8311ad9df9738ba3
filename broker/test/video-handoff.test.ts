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
  type StaffLogin,
} from './video-helpers.js';

/**
 * One phone per call (issue 12, item 8): a new link revokes the previous one,
 * a claim revokes all others, and after consent no phone can claim the call
 * unless the customer asks on the device to move it. A real broker, the
 * device as a real MQTT.js client with its own credential, the console and
 * the phone over HTTP.
 */
let tb: TestBroker;
let agent: StaffLogin;
/** Each test has its own device, so a call a failing test leaves behind cannot fail the next one. */
let device: FakeVideoDevice;
const devices: FakeVideoDevice[] = [];

beforeAll(async () => {
  tb = await startTestBroker();
  agent = await staffLogin(tb, 'vera', 'agent');
});

beforeEach(async () => {
  device = await FakeVideoDevice.connect(tb, `cm-handoff-${devices.length + 1}`);
  devices.push(device);
});

afterAll(async () => {
  for (const d of devices) await d.end();
  await tb?.cleanup();
});

async function startCall(): Promise<string> {
  const res = await call<{ session: VideoSessionView }>(tb, 'POST', '/api/video/sessions', {
    staff: agent,
    body: { deviceId: device.deviceId },
  });
  expect(res.status).toBe(201);
  const id = res.body.session.sessionId;
  await device.link(id, 0);
  return id;
}

async function hangup(sessionId: string): Promise<void> {
  await call(tb, 'POST', `/api/video/sessions/${sessionId}/hangup`, { staff: agent, body: {} });
}

const claim = (url: string) =>
  call<PhoneClaimResponse & { error?: { code: string; message: string } }>(tb, 'POST', '/api/video/phone/claim', {
    body: { token: tokenOf(url) },
  });
const phoneConsent = (sessionId: string, key: string) =>
  call<{ session?: VideoSessionView; error?: { code: string } }>(tb, 'POST', `/api/video/phone/${sessionId}/consent`, {
    bearer: key,
    body: { decision: 'accepted' },
  });
const phoneEvents = (sessionId: string, key: string) =>
  openSse(`${httpBase(tb)}/api/video/phone/${sessionId}/events`, { authorization: `Bearer ${key}` });
const counter = (name: string) => tb.broker.counters.snapshot()[name] ?? 0;

describe('one phone per call (issue 12, item 8)', () => {
  it('a second link revokes the first: the first is refused, and a phone that claimed an earlier link is let go', async () => {
    const id = await startCall();
    const first = await device.link(id, 0);
    await device.up(id, { kind: 'handoff-request' });
    const second = await device.link(id, 1);

    const stale = await claim(first);
    expect(stale.status).toBe(410);
    expect(stale.body.error).toMatchObject({ code: 'EXPIRED', message: 'this link was replaced by a newer one' });
    expect(
      (await tb.broker.fleet.audit.list({ action: 'video.handoff', limit: 1000 })).find(
        (e) => e.target === id && e.outcome === 'refused',
      )?.detail,
    ).toEqual({ code: 'EXPIRED', reason: 'this link was replaced by a newer one' });

    // Phone A claims the current link and listens; then the customer asks the device for another code.
    const a = await claim(second);
    expect(a.status).toBe(200);
    const aStream = await phoneEvents(id, a.body.key);
    expect(aStream.status).toBe(200);
    await device.up(id, { kind: 'handoff-request' });
    const third = await device.link(id, 2);
    await streamEnds(aStream, "phone A's stream to end when a newer link was issued");
    expect((await phoneConsent(id, a.body.key)).status).toBe(401);

    // Phone B with the newest link takes the call; A's key stays dead.
    const b = await claim(third);
    expect(b.status).toBe(200);
    const consent = await phoneConsent(id, b.body.key);
    expect(consent.status).toBe(200);
    expect(consent.body.session).toMatchObject({ status: 'accepted', peer: 'phone' });
    expect((await call(tb, 'POST', `/api/video/phone/${id}/hangup`, { bearer: a.body.key })).status).toBe(401);
    const audit = (await tb.broker.fleet.audit.list({ limit: 1000 })).filter((e) => e.target === id);
    expect(audit.some((e) => e.action === 'video.handoff.release' && e.outcome === 'ok')).toBe(true);
    await hangup(id);
  });

  it('a second claimer after a claim is refused; the first phone keeps the call', async () => {
    const id = await startCall();
    const first = await device.link(id, 0);
    await device.up(id, { kind: 'handoff-request' });
    const second = await device.link(id, 1);

    const customer = await claim(second);
    expect(customer.status).toBe(200);
    const customerStream = await phoneEvents(id, customer.body.key);
    const refusedBefore = (await tb.broker.fleet.audit.list({ action: 'video.handoff', limit: 1000 })).filter(
      (e) => e.outcome === 'refused',
    ).length;
    // Every other way in is shut: the older link, and the same link again.
    for (const url of [first, second]) {
      const intruder = await claim(url);
      expect(intruder.status).toBe(410);
      expect(intruder.body.key).toBeUndefined();
    }
    expect(
      (await tb.broker.fleet.audit.list({ action: 'video.handoff', limit: 1000 })).filter(
        (e) => e.outcome === 'refused',
      ).length,
    ).toBe(refusedBefore + 2);

    // The customer's phone still drives the call: consent, then the console's offer reaches it.
    const consent = await phoneConsent(id, customer.body.key);
    expect(consent.status).toBe(200);
    expect(
      (
        await call(tb, 'POST', `/api/video/sessions/${id}/signal`, {
          staff: agent,
          body: { kind: 'offer', sdp: 'v=0\r\n' },
        })
      ).status,
    ).toBe(202);
    await eventually(
      () => customerStream.events.some((e) => e.data.type === 'signal'),
      5_000,
      'the offer on the customer phone',
    );
    expect(customerStream.isEnded()).toBe(false);
    customerStream.close();
    await hangup(id);
  });

  it('no claims after consent: a link from before the customer accepted on the device is refused', async () => {
    // The link shown while ringing, never claimed: dead once the customer accepts on the device.
    const id = await startCall();
    const ringing = await device.link(id, 0);
    await device.up(id, { kind: 'consent', decision: 'accepted' });
    await eventually(
      async () =>
        (await call<{ session: VideoSessionView }>(tb, 'GET', `/api/video/sessions/${id}`, { staff: agent })).body
          .session.peer === 'device',
      5_000,
      'the call on the device',
    );
    expect((await claim(ringing)).status).toBe(410);
    await hangup(id);
  });

  it('no claims after consent: a phone that claimed the link while it rang (a photographed QR code) cannot take the call once the device accepted', async () => {
    const id2 = await startCall();
    const early = await claim(await device.link(id2, 0));
    expect(early.status).toBe(200);
    const earlyStream = await phoneEvents(id2, early.body.key);
    const downBefore = device.down.length;
    await device.up(id2, { kind: 'consent', decision: 'accepted' });
    await streamEnds(earlyStream, 'the early phone to be let go when the device accepted');
    expect((await phoneConsent(id2, early.body.key)).status).toBe(401);
    const view = (await call<{ session: VideoSessionView }>(tb, 'GET', `/api/video/sessions/${id2}`, { staff: agent }))
      .body.session;
    expect(view).toMatchObject({ status: 'accepted', peer: 'device' });
    expect(device.down.slice(downBefore).filter((m) => m.sessionId === id2 && m.kind === 'hangup')).toEqual([]);
    await hangup(id2);
  });

  it('the customer moves a running call to a phone from the device; once it runs there, no new link is issued', async () => {
    const id = await startCall();
    await device.up(id, { kind: 'consent', decision: 'accepted' });
    await device.up(id, { kind: 'handoff-request' });
    const move = await device.link(id, 1);
    const phone = await claim(move);
    expect(phone.status).toBe(200);
    const downBefore = device.down.length;
    expect((await phoneConsent(id, phone.body.key)).status).toBe(200);
    await device.waitFor(id, 'the hang-up that moves the call', (m) => m.kind === 'hangup', downBefore);

    const refusedBefore = counter('video.handoff.not_issued.CONFLICT');
    await device.up(id, { kind: 'handoff-request' });
    await eventually(
      () => counter('video.handoff.not_issued.CONFLICT') > refusedBefore,
      5_000,
      'the request after the move to be refused',
    );
    expect(device.links(id)).toHaveLength(2);
    await hangup(id);
  });

  it('a device cannot mint links without end (20 per call)', async () => {
    const id = await startCall();
    const before = counter('video.handoff.not_issued.RATE_LIMITED');
    for (let i = 0; i < 24; i++) await device.up(id, { kind: 'handoff-request' });
    await eventually(
      () => counter('video.handoff.not_issued.RATE_LIMITED') >= before + 5,
      5_000,
      'links beyond the cap to be refused',
    );
    expect(device.links(id)).toHaveLength(20);
    await hangup(id);
  });
});
