import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER } from '@touchpoint/protocol';
import { CHROMIUM, COFFEE_DIR, eventually, startTouchStack, type TouchStack } from './harness.js';

/**
 * Issue 12, items 6 and 7, in real Chromium against the real agent:
 *  - a page on another origin that frames the touchscreen gets nothing rendered;
 *  - a consent button (escalation Share, video Accept) ignores a tap in the first
 *    600 ms after its sheet appears and works after that (page time is held by
 *    Playwright's clock, so "immediately" is exact on a loaded machine);
 *  - an installed SVG with a script, opened from the agent's image route, does not run.
 */

const ARM_DELAY_MS = 600;

/** A tiny HTTP server on another loopback origin: the attacker's page, or a probe that records what reaches it. */
async function listen(
  handler: (path: string) => { type: string; body: string } | undefined,
): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const answer = handler(req.url ?? '/');
    res.writeHead(answer ? 200 : 204, answer ? { 'content-type': answer.type } : {});
    res.end(answer?.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections(); // the browser keeps connections alive
      }),
  };
}

/**
 * An SVG whose script, if it ever runs, calls the probe. The call is a
 * synchronous XHR: it holds the parser, so once the document has loaded the
 * probe has either seen it or never will (no race to wait out).
 */
function evilSvg(probe: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60"><rect width="120" height="60" fill="#0b57d0"/>
<script>try { var x = new XMLHttpRequest(); x.open('GET', '${probe}/ping', false); x.send(); } catch (e) {} document.documentElement.setAttribute('data-ran', 'yes');</script></svg>`;
}

let modelDir: string;
let stack: TouchStack;
let browser: Browser;
let probe: Awaited<ReturnType<typeof listen>>;
const contexts: BrowserContext[] = [];

async function kioskPage(options: { clock?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 800, height: 480 }, locale: 'en-US' });
  contexts.push(context);
  if (options.clock) await context.clock.install();
  const page = await context.newPage();
  // Every intent a screen raises (a consent tap raises `share`), recorded before the app sees it.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __intents: string[] }).__intents = seen;
    window.addEventListener(
      'tp-intent',
      (e) =>
        seen.push(
          (e as CustomEvent<{ kind: string }>).detail?.kind ??
            (e as unknown as { intent: { kind: string } }).intent?.kind,
        ),
      { capture: true },
    );
  });
  await page.goto(stack.kioskUrl);
  await page.getByRole('heading', { name: 'Help topics' }).waitFor();
  return page;
}

/**
 * A real tap at the centre of an element, as a finger would: no actionability
 * wait (a disabled button is tapped too), but the point must be on screen and
 * hit that very button (through shadow roots), or the tap proves nothing.
 */
async function tap(page: Page, selector: string): Promise<void> {
  const target = page.locator(selector);
  await target.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  const hit = await target.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    let found: Element | null = document.elementFromPoint(x, y);
    while (found?.shadowRoot) {
      const inner = found.shadowRoot.elementFromPoint(x, y);
      if (!inner || inner === found) break;
      found = inner;
    }
    return { x, y, onTarget: found === el, inView: x >= 0 && y >= 0 && x < innerWidth && y < innerHeight };
  });
  if (!hit.inView || !hit.onTarget)
    throw new Error(`a tap at the centre of ${selector} would not land on it (${JSON.stringify(hit)})`);
  await page.mouse.click(hit.x, hit.y);
}

const intents = (page: Page) => page.evaluate(() => (window as unknown as { __intents: string[] }).__intents.slice());
const isArmed = (page: Page, host: string) => page.locator(host).evaluate((el) => el.hasAttribute('armed'));
const casesOf = (deviceId: string) =>
  (stack.broker.fleet.db.prepare('SELECT COUNT(*) AS n FROM cases WHERE device_id = ?').get(deviceId) as { n: number })
    .n;

beforeAll(async () => {
  probe = await listen(() => undefined);
  modelDir = await mkdtemp(join(tmpdir(), 'tp-kiosk-model-'));
  await cp(COFFEE_DIR, modelDir, { recursive: true });
  await writeFile(join(modelDir, 'flows', 'images', 'evil.svg'), evilSvg(probe.url));
  stack = await startTouchStack({ deviceId: 'cm-kiosk-sec', pty: false, speed: 4, modelDir });
  await eventually(async () => (await stack.broker.fleet.devices.get(stack.deviceId))?.online, 'device online');
  browser = await chromium.launch({
    ...CHROMIUM,
    args: [...CHROMIUM.args, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await stack?.stop();
  await probe?.close();
  if (modelDir) await rm(modelDir, { recursive: true, force: true });
});

describe('the touchscreen cannot be framed or tapped through (issue 12, item 6)', () => {
  it('renders nothing inside a frame on another origin: the document arrives and is blocked, no script, no socket', async () => {
    const attacker = await listen((path) =>
      path === '/'
        ? {
            type: 'text/html',
            body: `<!doctype html><p>Win a prize: tap here</p><iframe id="victim" src="${stack.kioskUrl}" style="opacity:0.01;position:absolute;inset:0;width:800px;height:480px"></iframe>`,
          }
        : undefined,
    );
    try {
      const context = await browser.newContext({ viewport: { width: 800, height: 480 } });
      contexts.push(context);
      const page = await context.newPage();
      const fromAgent: string[] = [];
      const sockets: string[] = [];
      page.on('request', (r) => {
        if (r.url().startsWith(stack.uiUrl)) fromAgent.push(r.url());
      });
      page.on('websocket', (ws) => sockets.push(ws.url()));
      const framed = page.waitForResponse(
        (r) => r.url().startsWith(stack.uiUrl) && r.request().resourceType() === 'document',
      );
      await page.goto(attacker.url);
      const response = await framed;
      expect(response.status()).toBe(200);
      // The iframe's load event has fired (Chromium fires it for the blocked frame's error page too).
      await page
        .locator('#victim')
        .evaluate((frame: HTMLIFrameElement) =>
          frame.contentDocument === null || frame.contentDocument.readyState === 'complete'
            ? undefined
            : new Promise((r) => frame.addEventListener('load', r, { once: true })),
        );
      const frame = page.frames().find((f) => f !== page.mainFrame());
      expect(frame, 'the iframe exists').toBeDefined();
      // Chromium replaces a frame refused by frame-ancestors with its error page; the touchscreen never ran there.
      expect(frame!.url()).toBe('chrome-error://chromewebdata/');
      expect(await frame!.locator('tp-app').count()).toBe(0);
      expect(fromAgent.filter((u) => !u.startsWith(`${stack.uiUrl}/#`) && u !== `${stack.uiUrl}/`)).toEqual([]); // no script, no image
      expect(sockets).toEqual([]);
      expect(response.headers()['x-frame-options']).toBe('DENY');
    } finally {
      await attacker.close();
    }
  });

  it('ignores a tap on Share right after the consent sheet appears, re-arms when the sheet is shown again, and shares once armed', async () => {
    const page = await kioskPage({ clock: true });
    const host = 'tp-consent-sheet';
    // Hold page time: the sheet is shown, and the 600 ms have not passed for it, whatever the machine's load.
    await page.clock.pauseAt(Date.now() + 1_000);
    await page.locator('#support').click();
    await page.getByRole('dialog', { name: 'Contact support' }).waitFor();
    expect(await isArmed(page, host)).toBe(false);
    await tap(page, '#consent-share');
    expect(await intents(page)).not.toContain('share');
    await page.clock.runFor(ARM_DELAY_MS - 1);
    expect(await isArmed(page, host)).toBe(false);
    await tap(page, '#consent-share');
    expect(await intents(page)).not.toContain('share');
    await expect(page.locator('#consent-share').isDisabled()).resolves.toBe(true); // the visual disabled state

    // Hidden and shown again: the delay starts over.
    await page.clock.runFor(1);
    await page.locator(host).and(page.locator('[armed]')).waitFor({ state: 'attached' });
    await page.locator('#consent-cancel').click();
    await page.getByRole('dialog', { name: 'Contact support' }).waitFor({ state: 'hidden' });
    await page.locator(host).and(page.locator(':not([armed])')).waitFor({ state: 'attached' });
    await page.locator('#support').click();
    await page.getByRole('dialog', { name: 'Contact support' }).waitFor();
    await tap(page, '#consent-share');
    expect(await intents(page)).not.toContain('share');
    expect(casesOf(stack.deviceId)).toBe(0);

    // After the sheet has been on screen for the delay, the same tap shares.
    await page.clock.runFor(ARM_DELAY_MS);
    await page.locator(host).and(page.locator('[armed]')).waitFor({ state: 'attached' });
    await page.clock.resume();
    await tap(page, '#consent-share');
    await eventually(() => casesOf(stack.deviceId) === 1, 'the case opened by the armed tap');
    expect((await intents(page)).filter((k) => k === 'share')).toHaveLength(1);
  });

  it('ignores a tap on Accept right after a video call rings and connects the call with a tap once armed', async () => {
    const { staff } = await stack.broker.fleet.staff.add('arm', 'agent', 'Arm Tester');
    const login = stack.broker.fleet.staff.createSession(staff.id);
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`http://127.0.0.1:${stack.broker.httpPort}${path}`, {
        method,
        headers: {
          cookie: `tp_session=${login.token}`,
          [CSRF_HEADER]: login.csrfToken,
          'content-type': 'application/json',
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { session: { sessionId: string; status: string } };
    };
    const page = await kioskPage({ clock: true });
    await page.clock.pauseAt(Date.now() + 1_000);
    const { session } = await api('POST', '/api/video/sessions', { deviceId: stack.deviceId });
    try {
      await page.locator('tp-video[state="ringing"] #video-accept').waitFor();
      expect(await isArmed(page, 'tp-video')).toBe(false);
      await tap(page, 'tp-video #video-accept');
      // The click handler moves the call on synchronously; nothing moved.
      expect(await page.locator('tp-video').getAttribute('state')).toBe('ringing');
      expect((await api('GET', `/api/video/sessions/${session.sessionId}`)).session.status).toBe('ringing');

      await page.clock.runFor(ARM_DELAY_MS);
      await page.locator('tp-video[armed]').waitFor({ state: 'attached' });
      await page.clock.resume();
      await tap(page, 'tp-video #video-accept');
      await eventually(
        async () => (await api('GET', `/api/video/sessions/${session.sessionId}`)).session.status !== 'ringing',
        'the armed tap accepted the call',
      );
      expect(
        (await stack.broker.fleet.audit.list({ limit: 1000 })).filter(
          (e) => e.target === session.sessionId && e.action === 'video.consent',
        ),
      ).toHaveLength(1);
    } finally {
      await api('POST', `/api/video/sessions/${session.sessionId}/hangup`, {}).catch(() => undefined);
    }
  });
});

describe('only the kiosk connects to the agent (issue 12, Low: a per-boot kiosk secret)', () => {
  it('the kiosk URL connects, takes the secret out of the address bar and survives a reload; the bare URL is refused and says why', async () => {
    const page = await kioskPage();
    expect(page.url()).toBe(`${stack.uiUrl}/`); // the fragment is gone: nothing to shoulder-surf, bookmark or hand on
    await page.reload();
    await page.getByRole('heading', { name: 'Help topics' }).waitFor(); // the secret came from sessionStorage
    expect(await page.locator('#broker-chip').count()).toBe(1);

    const context = await browser.newContext({ viewport: { width: 800, height: 480 }, locale: 'en-US' });
    contexts.push(context);
    const bare = await context.newPage();
    const refusedBefore = stack.agent.services.localServer!.refusedClients;
    await bare.goto(stack.uiUrl);
    await bare.getByText('not opened from the device agent’s kiosk address').waitFor();
    await eventually(
      () => stack.agent.services.localServer!.refusedClients > refusedBefore,
      'the agent refused the bare page',
    );
    expect(await bare.locator('#broker-chip').count()).toBe(0); // no hello, no live state
  });
});

describe('installed flow images cannot run script on the touchscreen origin (issue 12, item 7)', () => {
  it('the same SVG runs its script when served plainly (the probe works) and does not when the agent serves it', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();

    // Control: served without the agent's CSP, the script runs and has called the probe by the time it has loaded.
    const plain = await listen(() => ({ type: 'image/svg+xml', body: evilSvg(probe.url) }));
    try {
      await page.goto(`${plain.url}/evil.svg`);
      expect(probe.hits).toEqual(['/ping']);
      expect(await page.evaluate(() => document.documentElement.getAttribute('data-ran'))).toBe('yes');
    } finally {
      await plain.close();
    }
    probe.hits.length = 0;

    // The agent's image route, opened as a document (the worst case: an <img> never runs scripts): loaded, and silent.
    const response = await page.goto(`${stack.uiUrl}/api/help/image?path=${encodeURIComponent('images/evil.svg')}`, {
      waitUntil: 'load',
    });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toBe('image/svg+xml');
    expect(probe.hits).toEqual([]);
    expect(response?.headers()['content-security-policy']).toContain('sandbox');
  });
});
