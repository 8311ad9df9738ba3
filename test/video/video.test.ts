import mqtt from 'mqtt';
import WebSocket from 'ws';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { header, signalTopic, type SignalMessage } from '@touchpoint/protocol';
import type { StaffMember } from '@touchpoint/broker';
import { kioskProtocols, kioskSecretOf } from '@touchpoint/device-agent';
import { CHROMIUM, eventually } from '../touch-ui/harness.js';
import { COUNT_PEER_CONNECTIONS, consoleTestBundle, startVideoStack, type VideoStack } from './harness.js';

/**
 * Video calls end to end: the real broker (video manager, HTTP API, phone
 * page), two real agents with virtual MCUs, the real touch UI with its video
 * overlay, the console's call panel and the phone page, all in one headless
 * Chromium with fake camera and microphone, each party in its own context.
 */
const RING_TIMEOUT_MS = 4_000;

let stack: VideoStack;
let browser: Browser;
let staff: StaffMember;
let consoleCtx: BrowserContext;
let consolePage: Page;
let camPage: Page;
let noCamPage: Page;
const contexts: BrowserContext[] = [];

type Win = Window & { __pcs: RTCPeerConnection[] };
const pcCount = (page: Page) => page.evaluate(() => (window as unknown as Win).__pcs.length);
const iceState = (page: Page) =>
  page.evaluate(() => (window as unknown as Win).__pcs.at(-1)?.iceConnectionState ?? 'none');
const framesDecoded = (page: Page) =>
  page.evaluate(async () => {
    const pc = (window as unknown as Win).__pcs.at(-1);
    if (!pc) return 0;
    let frames = 0;
    (await pc.getStats()).forEach((s: { type?: string; kind?: string; framesDecoded?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
    });
    return frames;
  });
const consoleState = (page: Page = consolePage) => page.locator('tpc-video-call #call-state').textContent();
const readSessionId = (page: Page) =>
  page.evaluate(
    () =>
      (document.querySelector('tpc-video-call') as unknown as { call: { session?: { sessionId: string } } }).call
        .session?.sessionId ?? '',
  );
/** The console learns the session id from its POST's response, which can arrive after the device already rings. */
const sessionIdOf = (page: Page = consolePage) =>
  until(
    () => readSessionId(page),
    (id) => id !== '',
    'the console knows the session id',
  );

async function until<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  let last: T | undefined;
  try {
    await eventually(async () => ok((last = await probe())), what, timeoutMs);
  } catch (err) {
    throw new Error(`${(err as Error).message} (last: ${JSON.stringify(last)})`);
  }
  return last as T;
}

async function audit(
  sessionId: string,
): Promise<{ action: string; outcome: string; detail: Record<string, unknown> | null }[]> {
  return (await stack.broker.fleet.audit.list({ limit: 1000 })).filter((e) => e.target === sessionId).reverse();
}

async function newContext(init = true): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width: 800, height: 480 }, locale: 'en-US' });
  if (init) await ctx.addInitScript(COUNT_PEER_CONNECTIONS);
  contexts.push(ctx);
  return ctx;
}

async function openConsole(deviceId: string): Promise<void> {
  const { csrfToken } = session;
  await consolePage.goto(
    `${stack.brokerUrl}/__video-test.html?device=${deviceId}&csrf=${encodeURIComponent(csrfToken)}`,
  );
  await consolePage.locator('tpc-video-call #start-video').waitFor();
}

async function openDevice(url: string): Promise<Page> {
  const page = await (await newContext()).newPage();
  await page.goto(url);
  await page.getByRole('heading', { name: 'Help topics' }).waitFor();
  return page;
}

let session: { token: string; csrfToken: string };

beforeAll(async () => {
  stack = await startVideoStack(RING_TIMEOUT_MS);
  staff = (await stack.broker.fleet.staff.add('vera', 'agent', 'Vera Video')).staff;
  session = stack.broker.fleet.staff.createSession(staff.id);
  await eventually(
    async () =>
      (await stack.broker.fleet.devices.get(stack.camera.deviceId))?.online &&
      (await stack.broker.fleet.devices.get(stack.noCamera.deviceId))?.online,
    'devices online',
  );
  browser = await chromium.launch({
    ...CHROMIUM,
    args: [...CHROMIUM.args, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });

  const script = await consoleTestBundle();
  consoleCtx = await newContext();
  await consoleCtx.addCookies([
    { name: 'tp_session', value: session.token, url: stack.brokerUrl, httpOnly: true, sameSite: 'Strict' },
  ]);
  // The test page lives on the broker's origin (cookie, CSRF and SSE as in the console), served by the test.
  await consoleCtx.route('**/__video-test.html*', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><title>console</title><script type="module" src="/__video-test.js"></script>',
    }),
  );
  await consoleCtx.route('**/__video-test.js', (route) =>
    route.fulfill({ contentType: 'text/javascript', body: script }),
  );
  consolePage = await consoleCtx.newPage();
  camPage = await openDevice(stack.camera.kioskUrl);
  noCamPage = await openDevice(stack.noCamera.kioskUrl);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('video call between the console and the touchscreen', () => {
  it('Accept: both peers connect with video both ways; a hang-up on the device ends it in the console', async () => {
    await openConsole(stack.camera.deviceId);
    await consolePage.locator('tpc-video-call #start-video').click();
    const accept = camPage.locator('tp-video #video-accept');
    await accept.waitFor();
    await expect(
      camPage.locator('tp-video').getByText('Vera Video from support would like to see and talk to you.').isVisible(),
    ).resolves.toBe(true);
    await expect(camPage.locator('tp-video .shares').textContent()).resolves.toMatch(/Microphone[\s\S]*Camera/);
    await accept.click();

    await until(
      () => iceState(consolePage),
      (s) => s === 'connected' || s === 'completed',
      'console ICE connected',
    );
    await until(
      () => iceState(camPage),
      (s) => s === 'connected' || s === 'completed',
      'device ICE connected',
    );
    await until(
      () => framesDecoded(consolePage),
      (n) => n > 0,
      'console decodes the device camera',
    );
    await until(
      () => framesDecoded(camPage),
      (n) => n > 0,
      'device decodes the staff video',
    );
    await until(
      () => consoleState(),
      (s) => s === 'Connected',
      'console shows connected',
    );
    await expect(camPage.locator('tp-video #video-indicator').isVisible()).resolves.toBe(true);
    const sessionId = await sessionIdOf();
    await until(
      async () => (await stack.broker.fleet.audit.list({ action: 'video.start' })).some((e) => e.target === sessionId),
      Boolean,
      'start audited',
    );

    await camPage.locator('tp-video #video-end').click();
    await until(
      () => consoleState(),
      (s) => s?.startsWith('Ended by the customer') ?? false,
      'console shows the call ended by the device',
    );
    await until(
      () => consolePage.evaluate(() => (window as unknown as Win).__pcs.at(-1)?.connectionState),
      (s) => s === 'closed',
      'console closed its peer connection',
    );

    const entries = await audit(sessionId);
    expect(entries.map((e) => e.action)).toEqual(['video.request', 'video.consent', 'video.start', 'video.end']);
    expect(entries[1]!.detail).toMatchObject({ decision: 'accepted', by: 'device' });
    expect(entries[3]!.detail).toMatchObject({ endedBy: 'device', outcome: 'hangup', peer: 'device' });
    expect(entries[3]!.detail!.durationMs as number).toBeGreaterThan(0);

    // The customer's receipt (issue 16): who called, what was shared, how long, when.
    await camPage.locator('#history-open').click();
    const receipt = camPage.locator('#history li[data-kind=call]');
    await receipt.waitFor();
    expect((await receipt.textContent())!.replace(/\s+/g, ' ').trim()).toMatch(
      /^Video call with support, \d+ seconds? Shared with support: your camera, your microphone Vera Video · \d+\/\d+\/\d+, \d+:\d{2}\s?[AP]M$/,
    );
    await camPage.locator('#history-close').click();
    await camPage.getByRole('heading', { name: 'Help topics' }).waitFor();
  });

  it('Decline: the console shows "declined" and no peer connection is created on either side', async () => {
    await openConsole(stack.camera.deviceId);
    const before = await pcCount(camPage);
    await consolePage.locator('tpc-video-call #start-video').click();
    await camPage.locator('tp-video #video-decline').click();
    await until(
      () => consoleState(),
      (s) => s === 'declined',
      'console shows declined',
    );
    expect(await pcCount(consolePage)).toBe(0);
    expect(await pcCount(camPage)).toBe(before);
    const sessionId = await sessionIdOf();
    const entries = await audit(sessionId);
    expect(entries.map((e) => e.action)).toEqual(['video.request', 'video.consent', 'video.end']);
    expect(entries[1]!.detail).toMatchObject({ decision: 'declined', by: 'device' });
    expect(entries[2]!.detail).toMatchObject({ outcome: 'declined', endedBy: 'device', durationMs: 0 });
  });

  it('Timeout: with no answer the console shows "no answer" and the device stops ringing', async () => {
    await openConsole(stack.camera.deviceId);
    await consolePage.locator('tpc-video-call #start-video').click();
    await camPage.locator('tp-video #video-accept').waitFor();
    await until(
      () => consoleState(),
      (s) => s === 'no answer',
      'console shows no answer',
      RING_TIMEOUT_MS + 10_000,
    );
    await until(
      () => camPage.locator('tp-video').getAttribute('state'),
      (s) => s === 'ended' || s === 'idle',
      'device stops ringing',
    );
    expect(await pcCount(consolePage)).toBe(0);
    const entries = await audit(await sessionIdOf());
    expect(entries.map((e) => e.action)).toEqual(['video.request', 'video.timeout', 'video.end']);
    expect(entries[2]!.detail).toMatchObject({ outcome: 'timeout', endedBy: 'timeout' });
  });

  it('Hand-off: a device without a camera shows a QR code; the phone consents and connects with video; the link works once', async () => {
    await openConsole(stack.noCamera.deviceId);
    await consolePage.locator('tpc-video-call #start-video').click();
    // No camera on this device: the code is shown at once, rendered locally as a data URL.
    const qr = noCamPage.locator('tp-video #video-qr');
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await expect(noCamPage.locator('tp-video .shares').textContent()).resolves.not.toMatch(/Camera/);
    const url = await noCamPage.evaluate(
      () => (document.querySelector('tp-video') as unknown as { call: { handoffUrl?: string } }).call.handoffUrl ?? '',
    );
    expect(url).toMatch(new RegExp(`^${stack.brokerUrl}/v/[A-Za-z0-9_-]{40,}$`));

    const phone = await (await newContext()).newPage();
    await phone.goto(url);
    await phone.getByText('Vera Video from support would like to start a video call with you.').waitFor();
    expect(new URL(phone.url()).pathname).toBe('/v/'); // the token left the address bar
    await phone.locator('#accept').click();
    // The touchscreen stops ringing and says where the call went; it never opened a peer connection.
    await until(
      () =>
        noCamPage
          .locator('tp-video section.note')
          .textContent()
          .catch(() => ''),
      (t) => t?.includes('continues on your phone') ?? false,
      'device says the call moved to the phone',
    );
    expect(await pcCount(noCamPage)).toBe(0);
    await until(
      () => iceState(phone),
      (s) => s === 'connected' || s === 'completed',
      'phone ICE connected',
    );
    await until(
      () => iceState(consolePage),
      (s) => s === 'connected' || s === 'completed',
      'console ICE connected',
    );
    await until(
      () => framesDecoded(consolePage),
      (n) => n > 0,
      'console decodes the phone camera',
    );
    await until(
      () => framesDecoded(phone),
      (n) => n > 0,
      'phone decodes the staff video',
    );

    const second = await (await newContext()).newPage();
    await second.goto(url);
    await until(
      () => second.evaluate(() => document.body.dataset.callState),
      (s) => s === 'refused',
      'second use refused',
    );

    await consolePage.locator('tpc-video-call #hangup').click();
    await until(
      () => phone.evaluate(() => document.body.dataset.callState),
      (s) => s === 'ended',
      'phone sees the end',
    );
    const all = await audit(await sessionIdOf());
    // The second use of the link is audited against this call, refused (its place in time depends on the second page).
    expect(all.filter((e) => e.outcome === 'refused').map((e) => [e.action, e.detail])).toEqual([
      ['video.handoff', { code: 'REPLAY', reason: 'this link was already used' }],
    ]);
    const entries = all.filter((e) => e.outcome !== 'refused');
    expect(entries.map((e) => e.action)).toEqual([
      'video.request',
      'video.handoff',
      'video.consent',
      'video.start',
      'video.end',
    ]);
    expect(entries[2]!.detail).toMatchObject({ decision: 'accepted', by: 'phone' });
    expect(entries[3]!.detail).toMatchObject({ peer: 'phone' });
    expect(entries[4]!.detail).toMatchObject({ endedBy: 'staff', outcome: 'hangup', peer: 'phone' });
  });

  it('Bad signalling: another device, a wrong session and a forged staff binding are rejected and never reach the peer', async () => {
    await openConsole(stack.camera.deviceId);
    await consolePage.locator('tpc-video-call #start-video').click();
    await camPage.locator('tp-video #video-accept').waitFor();
    const sessionId = await sessionIdOf();
    // A second listener on the call's stream records every signal the console could receive.
    await consolePage.evaluate((id) => {
      const w = window as unknown as { __signals: unknown[] };
      w.__signals = [];
      new EventSource(`/api/video/sessions/${id}/events`).onmessage = (m: MessageEvent<string>) => {
        const e = JSON.parse(m.data) as { type: string };
        if (e.type === 'signal') w.__signals.push(e);
      };
    }, sessionId);
    const { broker, camera, noCamera } = stack;
    const counters = () => broker.counters.snapshot();
    const base = { sessionId, staffId: staff.id, from: 'device' as const };
    const fake = (seq: number, extra: Partial<SignalMessage> = {}) =>
      JSON.stringify({ ...header(), ...base, seq, kind: 'answer', sdp: 'v=0\r\n', ...extra });
    const connect = (deviceId: string, token: string) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${broker.mqttPort}`, {
        clientId: deviceId,
        username: deviceId,
        password: token,
        reconnectPeriod: 0,
      });

    // 1. Another device's credential on this device's topic: the ACL refuses and closes the connection.
    const other = await connect(noCamera.deviceId, noCamera.token);
    const aclBefore = counters()['acl.publish.refused'] ?? 0;
    other.publish(signalTopic(camera.deviceId, sessionId, 'up'), fake(100), { qos: 0 });
    await until(
      async () => counters()['acl.publish.refused'] ?? 0,
      (n) => n > aclBefore,
      'ACL refusal counted',
    );
    await other.endAsync(true);

    // 2. The other device on its own topic, naming this session: not its session.
    const other2 = await connect(noCamera.deviceId, noCamera.token);
    await other2.publishAsync(signalTopic(noCamera.deviceId, sessionId, 'up'), fake(101), { qos: 1 });
    // 3. A payload whose session id differs from the topic's: refused at ingest.
    await other2.publishAsync(signalTopic(noCamera.deviceId, 'vs-elsewhere', 'up'), fake(102), { qos: 1 });
    await other2.endAsync();
    await until(
      async () => counters(),
      (c) => (c['video.rejected.NOT_FOUND'] ?? 0) >= 1 && (c['rejected.SCHEMA_INVALID'] ?? 0) >= 1,
      'device-side injections rejected',
    );

    // 4. A forged "staff" offer down to the device with another staff binding (the service credential can publish; the agent checks the binding).
    const svc = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.mqttPort}`, {
      clientId: 'svc-video-test',
      username: 'service',
      password: broker.serviceToken,
      reconnectPeriod: 0,
    });
    // Everything the agent pushes to touch UIs, as a second UI would see it.
    const pushed: { type: string }[] = [];
    const ui = new WebSocket(
      `${camera.uiUrl.replace('http', 'ws')}/ws`,
      kioskProtocols(kioskSecretOf(camera.kioskUrl)!),
    );
    ui.on('message', (data: Buffer) => pushed.push(JSON.parse(data.toString()) as { type: string }));
    await new Promise((resolve) => ui.once('open', resolve));
    await svc.publishAsync(
      signalTopic(camera.deviceId, sessionId, 'down'),
      JSON.stringify({
        ...header(),
        sessionId,
        staffId: 'st-intruder',
        from: 'staff',
        seq: 999,
        kind: 'offer',
        sdp: 'v=0\r\n',
      }),
      { qos: 1 },
    );
    await svc.endAsync();

    await camPage.locator('tp-video #video-decline').click();
    await until(
      () => consoleState(),
      (s) => s === 'declined',
      'the real customer still decides',
    );
    // The decline travelled after the injections on the same paths, so anything that got through would have arrived by now.
    await until(
      async () => pushed.some((m) => m.type === 'video.ended'),
      Boolean,
      'the UI socket saw the end of the call',
    );
    ui.close();
    expect(pushed.filter((m) => m.type === 'video.signal')).toEqual([]);
    expect(await consolePage.evaluate(() => (window as unknown as { __signals: unknown[] }).__signals.length)).toBe(0);
    expect(await pcCount(consolePage)).toBe(0);
  });
});
