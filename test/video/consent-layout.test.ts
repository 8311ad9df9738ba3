import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffMember } from '@touchpoint/broker';
import { CHROMIUM, REPO_ROOT, eventually } from '../touch-ui/harness.js';
import { COUNT_PEER_CONNECTIONS, consoleTestBundle, startVideoStack, type VideoStack } from './harness.js';
import { docScreenshot } from '../helpers/doc-screenshot.js';

/**
 * Video as a customer with a small screen and a device without a camera meet
 * it (issue 16): the consent sheet's answer buttons on screen at every
 * supported size, and the console saying "no camera" and offering the phone
 * instead of showing a black box. The real broker, agents, touch UI, console
 * call panel and phone page in headless Chromium with fake media.
 */
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'video');
const SIZES = [
  { width: 800, height: 480 },
  { width: 1280, height: 800 },
  { width: 480, height: 800 },
  { width: 800, height: 1280 },
];

let stack: VideoStack;
let browser: Browser;
let staff: StaffMember;
let login: { token: string; csrfToken: string };
let script: string;
const contexts: BrowserContext[] = [];

type Win = Window & { __pcs: RTCPeerConnection[] };
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
const connected = (s: string) => s === 'connected' || s === 'completed';

async function newPage(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 800, height: 480 }, locale: 'en-US' });
  await ctx.addInitScript(COUNT_PEER_CONNECTIONS);
  contexts.push(ctx);
  return ctx.newPage();
}

/** The console's call panel on the broker's origin (cookie, CSRF and SSE as in the console), for one device. */
async function openConsole(deviceId: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  contexts.push(ctx);
  await ctx.addInitScript(COUNT_PEER_CONNECTIONS);
  await ctx.addCookies([
    { name: 'tp_session', value: login.token, url: stack.brokerUrl, httpOnly: true, sameSite: 'Strict' },
  ]);
  await ctx.route('**/__video-test.html*', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><title>console</title><script type="module" src="/__video-test.js"></script>',
    }),
  );
  await ctx.route('**/__video-test.js', (route) => route.fulfill({ contentType: 'text/javascript', body: script }));
  const page = await ctx.newPage();
  await page.goto(
    `${stack.brokerUrl}/__video-test.html?device=${deviceId}&csrf=${encodeURIComponent(login.csrfToken)}`,
  );
  await page.locator('tpc-video-call #start-video').waitFor();
  return page;
}

async function openDevice(url: string): Promise<Page> {
  const page = await newPage();
  await page.goto(url);
  await page.getByRole('heading', { name: 'Help topics' }).waitFor();
  return page;
}

/**
 * Where the sheet's parts are, as the customer sees them without scrolling: each one's box must lie
 * inside the window and inside the visible part of every scrolling box around it, and a tap at its
 * centre must land on it (nothing on top).
 */
function onScreen(page: Page, ids: string[]) {
  return page.evaluate((wanted) => {
    const root = document.querySelector('tp-video')?.shadowRoot;
    const result: Record<string, string> = {};
    for (const id of wanted) {
      const el = root?.getElementById(id);
      if (!el) {
        result[id] = 'missing';
        continue;
      }
      const r = el.getBoundingClientRect();
      const problems: string[] = [];
      if (r.top < 0 || r.left < 0 || r.bottom > window.innerHeight + 0.5 || r.right > window.innerWidth + 0.5)
        problems.push('outside the window');
      for (let p = el.parentElement; p; p = p.parentElement) {
        const style = getComputedStyle(p);
        if (!/(auto|scroll|hidden)/.test(style.overflowY)) continue;
        const box = p.getBoundingClientRect();
        if (r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) problems.push(`below the fold of .${p.className}`);
        if (p.scrollTop !== 0) problems.push('scrolled');
      }
      const x = r.left + r.width / 2;
      const y = r.top + r.height / 2;
      const hit = root?.elementFromPoint(x, y);
      if (hit !== el && !el.contains(hit ?? null)) problems.push(`covered by ${hit?.id || hit?.tagName}`);
      result[id] = problems.join(', ') || 'visible';
    }
    return result;
  }, ids);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startVideoStack(120_000);
  staff = (await stack.broker.fleet.staff.add('vera', 'agent', 'Vera Video')).staff;
  login = stack.broker.fleet.staff.createSession(staff.id);
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
  script = await consoleTestBundle();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the video consent sheet on every supported screen (issue 16)', () => {
  it('keeps who calls, Accept, Decline and the phone code on screen without scrolling at 800x480, 1280x800 and both portraits', async () => {
    const device = await openDevice(stack.noCamera.kioskUrl);
    const console = await openConsole(stack.noCamera.deviceId);
    await console.locator('tpc-video-call #start-video').click();
    // No camera on this device: the code is on the sheet from the first ring, the case that pushed the buttons down.
    await device.locator('tp-video #video-qr').waitFor();
    await device.locator('tp-video #video-accept:not([disabled])').waitFor();
    for (const size of SIZES) {
      await device.setViewportSize(size);
      await device.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      expect([size, await onScreen(device, ['v-who', 'video-accept', 'video-decline', 'video-qr'])]).toEqual([
        size,
        { 'v-who': 'visible', 'video-accept': 'visible', 'video-decline': 'visible', 'video-qr': 'visible' },
      ]);
      await device.screenshot({ path: join(ARTIFACTS, `consent-qr-${size.width}x${size.height}.png`) });
    }
    await device.setViewportSize(SIZES[0]!);
    await docScreenshot(device, 'touch-ui-video-consent.png');
    await device.locator('tp-video #video-decline').click();
    await eventually(
      async () => (await console.locator('tpc-video-call #call-state').textContent()) === 'declined',
      'console shows declined',
    );
  });

  it('does the same on a device with a camera after "Continue on my phone"; accepted, the console shows its picture', async () => {
    const device = await openDevice(stack.camera.kioskUrl);
    const console = await openConsole(stack.camera.deviceId);
    await console.locator('tpc-video-call #start-video').click();
    await device.locator('tp-video #video-phone').click();
    await device.locator('tp-video #video-qr').waitFor();
    for (const size of SIZES) {
      await device.setViewportSize(size);
      await device.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      expect([size, await onScreen(device, ['v-who', 'video-accept', 'video-decline', 'video-qr'])]).toEqual([
        size,
        { 'v-who': 'visible', 'video-accept': 'visible', 'video-decline': 'visible', 'video-qr': 'visible' },
      ]);
    }
    // Accepted on a device with a camera: its picture, and no "no camera" note in the console.
    await device.locator('tp-video #video-accept:not([disabled])').click();
    await eventually(async () => (await framesDecoded(console)) > 0, 'console decodes the device camera', 20_000);
    await console.locator('tpc-video-call video#remote').waitFor();
    expect(await console.locator('tpc-video-call #no-camera').count()).toBe(0);
    await console.locator('tpc-video-call #hangup').click();
    await device.locator('tp-video[state="ended"], tp-video[state="idle"]').waitFor({ state: 'attached' });
  });
});

describe('a device without a camera, seen from the console (issue 16)', () => {
  it('says so, plays the customer audio only (no black box), and offers the phone; the customer moves the call there and staff see it', async () => {
    const device = await openDevice(stack.noCamera.kioskUrl);
    const console = await openConsole(stack.noCamera.deviceId);
    await console.locator('tpc-video-call #start-video').click();
    const note = console.locator('tpc-video-call #no-camera');
    await note.waitFor();
    await expect(note.textContent()).resolves.toContain('This device has no camera.');

    // The customer answers on the device itself: microphone only.
    await device.locator('tp-video #video-accept:not([disabled])').click();
    await eventually(async () => connected(await iceState(console)), 'console ICE connected');
    await eventually(
      async () => (await console.locator('tpc-video-call #call-state').textContent()) === 'Connected',
      'console shows connected',
    );
    expect(await console.locator('tpc-video-call video').count()).toBe(0);
    expect(await console.locator('tpc-video-call audio#remote').count()).toBe(1);
    await eventually(
      () => console.locator('tpc-video-call audio#remote').evaluate((a: HTMLAudioElement) => a.srcObject !== null),
      'the customer audio plays',
    );
    await docScreenshot(console.locator('tpc-video-call'), 'console-video-no-camera.png');

    // Staff offer the phone: a fresh code appears in the device's call view.
    await console.locator('tpc-video-call #offer-phone').click();
    await console.locator('tpc-video-call #phone-offered').waitFor();
    await device.locator('tp-video #call-qr #video-qr').waitFor();
    expect(await onScreen(device, ['video-qr', 'video-end'])).toEqual({
      'video-qr': 'visible',
      'video-end': 'visible',
    });
    await docScreenshot(device, 'touch-ui-video-phone-code.png');
    const url = await eventually(
      () =>
        device.evaluate(
          () => (document.querySelector('tp-video') as unknown as { call: { handoffUrl?: string } }).call.handoffUrl,
        ),
      'the phone link on the device',
    );
    const sessionId = await console.evaluate(
      () =>
        (document.querySelector('tpc-video-call') as unknown as { call: { session?: { sessionId: string } } }).call
          .session?.sessionId ?? '',
    );
    const offers = (await stack.broker.fleet.audit.list({ limit: 1000 })).filter(
      (e) => e.target === sessionId && e.action === 'video.handoff.offer',
    );
    expect(offers.map((e) => [e.actor, e.outcome])).toEqual([[staff.id, 'ok']]);

    const phone = await newPage();
    await phone.goto(url);
    await phone.locator('#accept').click();
    await eventually(async () => connected(await iceState(phone)), 'phone ICE connected', 20_000);
    await eventually(async () => (await framesDecoded(console)) > 0, 'console decodes the phone camera', 20_000);
    expect(await note.count()).toBe(0); // on the phone there is a picture
    await console.locator('tpc-video-call video#remote').waitFor();
    await console.locator('tpc-video-call #hangup').click();
    await eventually(() => phone.evaluate(() => document.body.dataset.callState === 'ended'), 'the phone sees the end');
  });
});
