import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffMember } from '@touchpoint/broker';
import { DEFAULT_MODELS_DIR } from '@touchpoint/models';
import { CHROMIUM, REPO_ROOT, eventually, startTouchStack, type TouchStack } from './harness.js';
import { docScreenshot } from '../helpers/doc-screenshot.js';

/**
 * The touchscreen as it is really used (issue 16): a reload while a case is
 * open, error banners and the header when things break, German in "Sie" and
 * the profile's own name for the thing. Real Chromium at 800x480 on the real
 * agent, a virtual coffee machine behind a socat pty, the broker and its
 * fleet database; a wallbox for the connection label.
 */
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'touch-ui');

let stack: TouchStack;
let browser: Browser;
let page: Page;
let staff: StaffMember;

/** Text of the whole page, shadow roots included (what the customer can read). */
function screenText(p: Page): Promise<string> {
  return p.evaluate(() => {
    const parts: string[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        for (const node of el.childNodes) if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent ?? '');
        for (const attr of ['aria-label', 'title', 'alt']) parts.push(el.getAttribute(attr) ?? '');
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    return parts.join(' ').replace(/\s+/g, ' ');
  });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // The inactivity timeout is off here (its own test has a short one): nothing goes home on its own.
  stack = await startTouchStack({
    deviceId: 'cm-kiosk-session',
    pty: true,
    agent: { touchscreen: { idleTimeoutS: 0 } },
  });
  staff = (await stack.broker.fleet.staff.add('sam', 'agent', 'Sam Support')).staff;
  await eventually(async () => (await stack.broker.fleet.devices.get(stack.deviceId))?.online, 'device online');
  await eventually(() => stack.agent.services.mcu.link === 'up', 'MCU link up');
  browser = await chromium.launch(CHROMIUM);
  const context = await browser.newContext({ viewport: { width: 800, height: 480 }, locale: 'en-US' });
  page = await context.newPage();
  await page.goto(stack.kioskUrl);
  await page.getByRole('heading', { name: 'Help topics' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the touchscreen after a reload, when things break, and in German (issue 16)', () => {
  it('shows the open case after a kiosk reload instead of offering "Contact support" again, and never opens a second case', async () => {
    await stack.mcu.control('set water_tank_level 100');
    await stack.mcu.control('scenario scale_up');
    await page.locator('button[data-offer="E05"]').click();
    await page.getByRole('heading', { name: 'Get ready to descale' }).waitFor();
    await page.locator('#next').click();
    await page.getByRole('dialog', { name: 'Please confirm' }).waitFor();
    await stack.mcu.control('set water_tank_level 20'); // the precondition fails on the device: the flow escalates
    await page.locator('#confirm-action').click();
    await page.getByRole('heading', { name: 'We need to take a closer look' }).waitFor({ timeout: 15_000 });
    await page.locator('#support').click();
    await page.locator('#consent-share').click();
    const status = page.locator('#case-status');
    await eventually(async () => (await status.getAttribute('data-stage')) === 'waiting', 'case sent and waiting');

    // The kiosk browser reloads (a watchdog, a power blip of the screen): the agent still holds the escalated flow.
    await page.reload();
    await page.getByRole('heading', { name: 'Support request' }).waitFor();
    await eventually(
      async () => (await status.getAttribute('data-stage')) === 'waiting',
      'the case again after reload',
    );
    expect(await page.locator('#support').count()).toBe(0);
    await docScreenshot(page, 'touch-ui-case-after-reload.png');

    // Home and any other guide lead to the open case, not to a second one.
    await page.locator('#home').click();
    await page.getByRole('heading', { name: 'Help topics' }).waitFor();
    expect(await page.locator('#support').count()).toBe(0);
    await page.locator('button[data-flow="coffee-too-weak"]').click();
    await page.getByRole('heading', { name: 'How does the coffee taste?' }).waitFor();
    await expect(page.locator('#show-case').textContent()).resolves.toContain('Your support request');
    expect(await page.locator('#support').count()).toBe(0);
    await page.locator('#show-case').click();
    await eventually(async () => (await status.getAttribute('data-stage')) === 'waiting', 'case from the guide');
    expect(stack.broker.fleet.cases.listForDevice(stack.deviceId)).toHaveLength(1);

    // Resolved: "Contact support" is offered again.
    const record = stack.broker.fleet.cases.listForDevice(stack.deviceId)[0]!;
    await stack.broker.fleet.cases.update(record.id, { status: 'resolved' }, staff);
    await eventually(async () => (await status.getAttribute('data-stage')) === 'resolved', 'case resolved on screen');
    await page.locator('#dismiss').click();
    await page.getByRole('heading', { name: 'How does the coffee taste?' }).waitFor();
    await page.locator('#support').waitFor();
    await page.locator('#leave').click();
    await page.getByRole('heading', { name: 'Help topics' }).waitFor();
    await page.locator('#support').waitFor();
    await stack.mcu.control('set water_tank_level 100');
    await stack.mcu.control('clear E05');
  });

  it('puts the most severe error first and names the machine in the header; a link that is down is a critical banner', async () => {
    await stack.mcu.control('raise E02'); // info
    await stack.mcu.control('raise E05'); // warning
    await stack.mcu.control('raise E03'); // critical
    await eventually(async () => (await page.locator('.offer').count()) >= 2, 'the offers on home');
    await eventually(
      async () => (await page.locator('.error-row .code').allTextContents()).length === 3,
      'three errors listed',
    );
    expect(
      await page.locator('button[data-offer]').evaluateAll((b) => b.map((e) => e.getAttribute('data-offer'))),
    ).toEqual(['E03', 'E05']);
    expect(await page.locator('.error-row .code').allTextContents()).toEqual(['E03', 'E05', 'E02']);
    await expect(page.locator('#link-chip').textContent()).resolves.toContain('Coffee machine connected');
    await page.screenshot({ path: join(ARTIFACTS, 'banners-by-severity.png') });

    // The serial link drops: a critical banner that names the machine, and the chip says so too.
    await stack.mcu.control('unplug 3000');
    const banner = page.locator('.banner[data-severity="critical"]');
    await banner.waitFor();
    await expect(banner.textContent()).resolves.toContain('Coffee machine is not responding');
    await expect(page.locator('#link-chip').textContent()).resolves.toContain('Coffee machine not responding');
    await docScreenshot(page, 'touch-ui-banners.png');
    await banner.waitFor({ state: 'detached', timeout: 20_000 });
    for (const code of ['E02', 'E03', 'E05']) await stack.mcu.control(`clear ${code}`);
    await page.getByText('Everything is fine.').waitFor();
  });

  it('speaks German with "Sie" and names the wallbox a wallbox', async () => {
    await stack.mcu.control('scenario scale_up');
    await page.locator('#lang').click();
    await page.getByText('E05: Entkalkung nötig').waitFor();
    await expect(page.locator('button[data-offer="E05"]').textContent()).resolves.toContain('Anleitung zeigen');
    await expect(page.locator('#link-chip').textContent()).resolves.toContain('Kaffeemaschine verbunden');
    const informal = /\b(du|dich|dir|dein\w*|Zeig|Prüfe)\b/;
    expect(await screenText(page)).not.toMatch(informal);
    await page.locator('button[data-offer="E05"]').click();
    await page.getByRole('heading', { name: 'Entkalken vorbereiten' }).waitFor();
    expect(await screenText(page)).not.toMatch(informal);
    await page.locator('#leave').click();
    await page.getByRole('heading', { name: 'Hilfethemen' }).waitFor();
    await page.locator('#lang').click();
    await page.getByRole('heading', { name: 'Help topics' }).waitFor();
    await stack.mcu.control('clear E05');

    const wallbox = await startTouchStack({
      deviceId: 'wb-kiosk-session',
      pty: false,
      modelDir: join(DEFAULT_MODELS_DIR, 'wallbox'),
      agent: { touchscreen: { idleTimeoutS: 0 } },
    });
    try {
      await eventually(() => wallbox.agent.services.mcu.link === 'up', 'wallbox MCU link up');
      const context = await browser.newContext({ viewport: { width: 800, height: 480 }, locale: 'de-DE' });
      const wb = await context.newPage();
      await wb.goto(wallbox.kioskUrl);
      await wb.getByRole('heading', { name: 'Hilfethemen' }).waitFor();
      await eventually(
        async () => (await wb.locator('#link-chip').textContent())?.includes('Wallbox verbunden'),
        'the wallbox named in the header',
      );
      const text = await screenText(wb);
      expect(text).not.toContain('Maschine');
      expect(text).not.toMatch(informal);
      await wb.screenshot({ path: join(ARTIFACTS, 'wallbox-home-de.png') });
      await context.close();
    } finally {
      await wallbox.stop();
    }
  });

  it('never says "Online" under the "connection lost" banner', async () => {
    await expect(page.locator('#broker-chip').textContent()).resolves.toContain('Online');
    await stack.agent.stop(); // the agent goes away under the open screen
    const lost = page.getByText('The connection to the device was lost');
    await lost.waitFor();
    await expect(page.locator('#agent-chip').textContent()).resolves.toContain('Not connected');
    expect(await page.locator('#broker-chip').count()).toBe(0);
    expect(await page.locator('header.appbar').textContent()).not.toMatch(/\bOnline\b/);
    await page.screenshot({ path: join(ARTIFACTS, 'connection-lost.png') });
  });
});
