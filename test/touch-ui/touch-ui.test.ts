import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffMember } from '@touchpoint/broker';
import { CHROMIUM, REPO_ROOT, eventually, startTouchStack, type TouchStack } from './harness.js';

/**
 * The customer's side of help, end to end: real Chromium at 800x480 on the
 * agent's touch UI, the real agent, a virtual coffee machine behind a socat
 * pty, and the broker with its fleet database.
 */
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'touch-ui');

let stack: TouchStack;
let browser: Browser;
let page: Page;
let staff: StaffMember;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** The help session rows and events of this device, from the fleet database. */
function helpSessions(): {
  id: string;
  outcome: string | null;
  ces: number | null;
  helped: number | null;
  flow_id: string;
}[] {
  return stack.broker.fleet.db
    .prepare('SELECT id, outcome, ces, helped, flow_id FROM help_sessions WHERE device_id = ? ORDER BY started_at')
    .all(stack.deviceId) as never;
}
function helpEntries(sessionId: string): { kind: string; status?: string; progress?: number; ces?: number }[] {
  const rows = stack.broker.fleet.db
    .prepare("SELECT body FROM events WHERE session_id = ? AND type = 'help' ORDER BY ts")
    .all(sessionId) as { body: string }[];
  return rows.map((r) => (JSON.parse(r.body) as { event: { entry: { kind: string } } }).event.entry);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startTouchStack({ deviceId: 'cm-touch-e2e', pty: true, speed: 2 });
  staff = (await stack.broker.fleet.staff.add('sam', 'agent', 'Sam Support')).staff;
  await eventually(async () => (await stack.broker.fleet.devices.get(stack.deviceId))?.online, 'device online');
  await eventually(() => stack.agent.services.mcu.link === 'up', 'MCU link up');
  browser = await chromium.launch(CHROMIUM);
  const context = await browser.newContext({ viewport: { width: 800, height: 480 }, locale: 'en-US' });
  page = await context.newPage();
  // Nothing but the agent's own origin may be contacted.
  const foreign: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(stack.uiUrl) && !r.url().startsWith(stack.uiUrl.replace('http', 'ws')))
      foreign.push(r.url());
  });
  (page as Page & { foreign?: string[] }).foreign = foreign;
  await page.goto(stack.kioskUrl);
  await page.getByRole('heading', { name: 'Help topics' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('touch UI on a real agent, virtual MCU (pty) and broker', () => {
  it('offers help for E05 and switches between English and German at runtime', async () => {
    await stack.mcu.control('scenario scale_up');
    await page.getByText('E05: Descaling needed').waitFor();
    await shot('01-home-offer-en');
    await page.locator('#lang').click();
    await page.getByText('E05: Entkalkung nötig').waitFor();
    await expect(page.getByRole('button', { name: 'Support kontaktieren' }).isVisible()).resolves.toBe(true);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
    await shot('02-home-offer-de');
    await page.locator('#lang').click();
    await page.getByText('E05: Descaling needed').waitFor();
  });

  it('walks the customer through descaling: the check reads the real sensor, the action runs with progress, E05 clears, the rating reaches the fleet', async () => {
    await stack.mcu.control('set water_tank_level 20');
    await page.locator('button[data-offer="E05"]').click();
    await page.getByRole('heading', { name: 'Get ready to descale' }).waitFor();
    await expect(
      page.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
    ).resolves.toBe(true);
    await shot('03-info');

    // The check runs on the MCU's real reading: 20 % is too low, so the flow asks for a refill.
    await stack.mcu.control('faults delay=400'); // slow frames so the "checking" screen can be seen
    await page.locator('#next').click();
    await page.locator('main[data-kind="check"]').waitFor();
    await shot('04-check');
    await page.getByRole('heading', { name: 'Refill the water tank' }).waitFor();
    await stack.mcu.control('faults delay=0');
    await shot('05-refill');

    // Refilled for real: now the same check passes and the confirmation sheet opens.
    await stack.mcu.control('set water_tank_level 100');
    await page.locator('#next').click();
    const sheet = page.getByRole('dialog', { name: 'Please confirm' });
    await sheet.waitFor();
    // The sheet's text is slotted into the dialog: look for it on the page.
    await expect(page.getByText('Start descaling now?').isVisible()).resolves.toBe(true);
    await shot('06-confirm');

    await page.locator('#confirm-action').click();
    // Visible progress from the MCU: a percentage strictly between 0 and 100 appears on screen.
    await page.waitForFunction(
      () => {
        const find = (root: Document | ShadowRoot): Element | null =>
          root.querySelector('#action-percent') ??
          [...root.querySelectorAll('*')].map((e) => (e.shadowRoot ? find(e.shadowRoot) : null)).find(Boolean) ??
          null;
        const text = find(document)?.textContent ?? '';
        const n = Number.parseInt(text, 10);
        return n > 0 && n < 100;
      },
      undefined,
      { timeout: 10_000, polling: 20 },
    );
    await shot('07-progress');

    await page.getByRole('heading', { name: 'Problem solved' }).waitFor({ timeout: 15_000 });
    await shot('08-resolved');
    expect([...stack.mcu.mcu.errors]).not.toContain('E05');

    await page.locator('#next').click();
    await page.getByRole('group', { name: 'How easy was it to solve your problem?' }).waitFor();
    await page.locator('label[for="ces-6"]').click();
    await page.locator('label[for="helped-yes"]').click();
    await shot('09-rating');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Thank you for your feedback!').waitFor();
    await shot('10-done');

    const session = await eventually(
      () => helpSessions().find((s) => s.flow_id === 'descale' && s.ces !== null),
      'the rating in the fleet database',
    );
    expect(session).toMatchObject({ outcome: 'resolved', ces: 6, helped: 1 });
    const entries = helpEntries(session.id);
    expect(entries.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['start', 'step', 'choice', 'check', 'action', 'outcome', 'rating']),
    );
    expect(
      entries.some(
        (e) => e.kind === 'action' && e.status === 'progress' && (e.progress ?? 0) > 0 && (e.progress ?? 0) < 100,
      ),
    ).toBe(true);
    expect(entries.some((e) => e.kind === 'action' && e.status === 'verified')).toBe(true);

    await page.locator('#home').click();
    await page.getByText('Everything is fine.').waitFor();
    expect(await page.locator('button[data-offer]').count()).toBe(0);
  });

  it('escalates a failed descale: consent, a case with trace and diagnostics in the fleet, live status as staff claim and resolve it', async () => {
    await stack.mcu.control('scenario scale_up');
    await page.locator('button[data-offer="E05"]').click();
    await page.getByRole('heading', { name: 'Get ready to descale' }).waitFor();
    await page.locator('#next').click();
    await page.getByRole('dialog', { name: 'Please confirm' }).waitFor();
    // The customer pulls the tank while the sheet is open: the action's precondition fails on the device.
    await stack.mcu.control('set water_tank_level 20');
    await page.locator('#confirm-action').click();
    await page.getByRole('heading', { name: 'We need to take a closer look' }).waitFor({ timeout: 15_000 });
    await shot('11-escalate');

    await page.locator('#support').click();
    const consent = page.getByRole('dialog', { name: 'Contact support' });
    await consent.waitFor();
    const items = await page.locator('#shared-items li strong').allTextContents();
    expect(items).toEqual(['Device diagnostics', 'This help session']);
    await shot('12-consent');
    await page.locator('#consent-share').click();

    const status = page.locator('#case-status');
    await status.waitFor();
    await eventually(async () => (await status.getAttribute('data-stage')) === 'waiting', 'case sent and waiting');
    await shot('13-case-waiting');

    const record = await eventually(
      () => stack.broker.fleet.cases.listForDevice(stack.deviceId)[0],
      'the case in the fleet database',
    );
    expect(record.reason).toBe('descale_failed');
    expect(record.flowId).toBe('descale');
    expect(record.trace.some((e) => e.kind === 'outcome' && e.outcome === 'escalated')).toBe(true);
    expect(record.trace.some((e) => e.kind === 'action' && e.status === 'failed')).toBe(true);
    const diagnostics = record.diagnostics as {
      reason: string;
      mcu: { sensors: Record<string, unknown>; errors: string[] };
    };
    expect(diagnostics.reason).toBe('case');
    expect(diagnostics.mcu.sensors.water_tank_level).toBeCloseTo(20, 0); // the tank drains slowly in the simulation
    expect(diagnostics.mcu.errors).toContain('E05');

    await stack.broker.fleet.cases.update(record.id, { status: 'claimed' }, staff);
    await page.getByText('Sam Support is looking at your device.').waitFor();
    expect(await status.getAttribute('data-stage')).toBe('claimed');
    await shot('14-case-claimed');

    await stack.broker.fleet.cases.update(record.id, { status: 'resolved' }, staff);
    await eventually(async () => (await status.getAttribute('data-stage')) === 'resolved', 'case resolved on screen');
    await shot('15-case-resolved');

    await page.locator('#home').click();
    await page.getByRole('heading', { name: 'Help topics' }).waitFor();
    expect((page as Page & { foreign?: string[] }).foreign).toEqual([]);
  });

  it('keeps touch targets at 48 px or more without horizontal scrolling at 800x480, 1280x800 and both portraits, and works by keyboard', async () => {
    await stack.mcu.control('scenario scale_up');
    await page.locator('button[data-offer="E05"]').waitFor();
    const sizes = [
      { width: 800, height: 480 },
      { width: 480, height: 800 },
      { width: 1280, height: 800 },
      { width: 800, height: 1280 },
    ];
    const measure = () =>
      page.evaluate(() => {
        const all: Element[] = [];
        const walk = (root: Document | ShadowRoot) => {
          for (const el of root.querySelectorAll('*')) {
            all.push(el);
            if (el.shadowRoot) walk(el.shadowRoot);
          }
        };
        walk(document);
        const targets = all.filter(
          (el) => el.matches('button, label[for]') && (el as HTMLElement).offsetParent !== null,
        );
        const small = targets
          .map((el) => ({ text: el.textContent?.trim().slice(0, 30), r: el.getBoundingClientRect() }))
          .filter(({ r }) => r.width < 48 || r.height < 48);
        return {
          count: targets.length,
          small: small.map((s) => `${s.text} ${Math.round(s.r.width)}x${Math.round(s.r.height)}`),
          overflow: document.documentElement.scrollWidth > window.innerWidth,
        };
      });
    for (const size of sizes) {
      await page.setViewportSize(size);
      const home = await measure();
      expect(home.count).toBeGreaterThan(3);
      expect([size, home.small, home.overflow]).toEqual([size, [], false]);
      await shot(`layout-home-${size.width}x${size.height}`);
    }
    await page.locator('button[data-offer="E05"]').click();
    await page.getByRole('heading', { name: 'Get ready to descale' }).waitFor();
    for (const size of sizes) {
      await page.setViewportSize(size);
      const info = await measure();
      expect([size, info.small, info.overflow]).toEqual([size, [], false]);
      await shot(`layout-info-${size.width}x${size.height}`);
    }
    await page.setViewportSize({ width: 800, height: 480 });
    await page.locator('#leave').click();
    await page.getByRole('heading', { name: 'Help topics' }).waitFor();

    // Keyboard only: Tab reaches "Contact support", Enter opens the consent sheet, Escape closes it.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    let onSupport = false;
    for (let i = 0; i < 20 && !onSupport; i++) {
      await page.keyboard.press('Tab');
      onSupport = await page.evaluate(() => {
        let el: Element | null = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        return el?.id === 'support';
      });
    }
    expect(onSupport).toBe(true);
    await page.keyboard.press('Enter');
    const consent = page.getByRole('dialog', { name: 'Contact support' });
    await consent.waitFor();
    await page.keyboard.press('Escape');
    await consent.waitFor({ state: 'hidden' });
  });
});
