import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffMember } from '@touchpoint/broker';
import { CHROMIUM, REPO_ROOT, eventually, startTouchStack, type TouchStack } from './harness.js';

/**
 * Issue 16, "the customer always knows what support does" (and issue 14: the
 * agent's `command`, `progress` and `case.status` pushes were dead): a fix
 * staff push from the fleet shows on the touchscreen with its name in the
 * customer's language, its progress and its result, next to the status of the
 * customer's case. Real Chromium at 800x480, the real agent and broker, the
 * virtual coffee machine behind a socat pty.
 */
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'touch-ui');

let stack: TouchStack;
let browser: Browser;
let page: Page;
let staff: StaffMember;

const panel = () => page.locator('#support-activity');
const panelText = () => page.locator('#support-activity-text');

async function send(action: string, params: Record<string, unknown> = {}): Promise<string> {
  const sent = await stack.broker.fleet.commands.send({
    deviceId: stack.deviceId,
    action,
    params,
    staff,
    ttlMs: 60_000,
  });
  return sent.id;
}

/** The panel fits the screen: no part of it below the fold or past the right edge. */
async function panelInView(): Promise<boolean> {
  const box = await panel().boundingBox();
  const size = page.viewportSize();
  return !!box && !!size && box.y >= 0 && box.y + box.height <= size.height && box.x + box.width <= size.width;
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Speed 1: the descale runs its full few seconds, so its progress can be seen.
  stack = await startTouchStack({ deviceId: 'cm-touch-support', pty: true, speed: 1 });
  staff = (await stack.broker.fleet.staff.add('sam', 'agent', 'Sam Support')).staff;
  await eventually(async () => (await stack.broker.fleet.devices.get(stack.deviceId))?.online, 'device online');
  await eventually(() => stack.agent.services.mcu.link === 'up', 'MCU link up');
  await stack.mcu.control('set water_tank_level 100');
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

describe('the touchscreen shows what support does on the device', () => {
  it('shows a staff descale by name with live progress and its result, with the case status, in English', async () => {
    // The customer asked for help first: a case that staff claim.
    await page.locator('#support').click();
    await page.getByRole('dialog', { name: 'Contact support' }).waitFor();
    await page.locator('#consent-share').click();
    const record = await eventually(
      () => stack.broker.fleet.cases.listForDevice(stack.deviceId)[0],
      'the case in the fleet database',
    );
    await stack.broker.fleet.cases.update(record.id, { status: 'claimed' }, staff);
    await page.getByText('Sam Support is looking at your device.').first().waitFor();
    await page.locator('#home').click();
    await page.getByRole('heading', { name: 'Help topics' }).waitFor();
    expect(await panel().count()).toBe(0); // nothing runs yet: no panel

    const commandId = await send('descale', { intensity: 'normal' });
    await panelText().getByText('Support is running “Descale” on your device.').waitFor();
    expect(await panel().getAttribute('data-status')).toBe('running');
    await expect(page.locator('#support-activity-title').textContent()).resolves.toBe(
      'Support is working on your device',
    );
    await expect(page.locator('#support-activity-case').textContent()).resolves.toBe(
      'Your support request: Sam Support is looking at your device.',
    );
    // The MCU's own progress, strictly between 0 and 100, as text and on the bar.
    await page.waitForFunction(
      () => {
        const find = (root: Document | ShadowRoot): Element | null =>
          root.querySelector('#support-activity-percent') ??
          [...root.querySelectorAll('*')].map((e) => (e.shadowRoot ? find(e.shadowRoot) : null)).find(Boolean) ??
          null;
        const n = Number.parseInt(find(document)?.textContent ?? '', 10);
        return n > 0 && n < 100;
      },
      undefined,
      { timeout: 15_000, polling: 20 },
    );
    const bar = page.locator('#support-activity [role="progressbar"]');
    const now = Number(await bar.getAttribute('aria-valuenow'));
    expect(now).toBeGreaterThan(0);
    expect(now).toBeLessThan(100);
    await expect(bar.getAttribute('aria-label')).resolves.toBe('Descale');
    expect(await panelInView()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'support-01-running-en.png') });

    await panelText().getByText('“Descale” is done.').waitFor({ timeout: 30_000 });
    expect(await panel().getAttribute('data-status')).toBe('succeeded');
    expect(stack.broker.fleet.commands.get(commandId)?.status).toBe('succeeded');
    await expect(page.locator('#support-activity-title').textContent()).resolves.toBe('Support worked on your device');
    await page.screenshot({ path: join(ARTIFACTS, 'support-02-done-en.png') });
    // At every supported size the panel is on screen, nothing scrolls sideways and Close is a full touch target.
    for (const size of [
      { width: 800, height: 480 },
      { width: 480, height: 800 },
      { width: 1280, height: 800 },
      { width: 800, height: 1280 },
    ]) {
      await page.setViewportSize(size);
      const close = await page.locator('#support-activity-close').boundingBox();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      expect([size, await panelInView(), overflow, close!.width >= 48 && close!.height >= 48]).toEqual([
        size,
        true,
        false,
        true,
      ]);
    }
    await page.setViewportSize({ width: 800, height: 480 });
    // The result stays until the customer closes it.
    await page.locator('#support-activity-close').click();
    await panel().waitFor({ state: 'detached' });
  });

  it('speaks German when the customer switched; a command the device refused shows nothing, one that failed says so', async () => {
    await page.locator('#lang').click();
    await page.getByText('Hilfethemen').first().waitFor();

    // Refused before it ran (the tank is too low for the precondition): nothing happened, nothing to show.
    await stack.mcu.control('set water_tank_level 20');
    const refused = await send('descale', { intensity: 'normal' });
    await eventually(() => stack.broker.fleet.commands.get(refused)?.status === 'rejected', 'descale rejected');
    expect(await panel().count()).toBe(0);

    await stack.mcu.control('set water_tank_level 100');
    await send('descale', { intensity: 'strong' });
    await panelText().getByText('Der Support führt „Entkalken“ an Ihrem Gerät aus.').waitFor();
    await expect(page.locator('#support-activity-title').textContent()).resolves.toBe(
      'Der Support arbeitet an Ihrem Gerät',
    );
    await expect(page.locator('#support-activity-case').textContent()).resolves.toBe(
      'Ihre Support-Anfrage: Sam Support sieht sich Ihr Gerät an.',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'support-03-running-de.png') });
    await panelText().getByText('„Entkalken“ ist abgeschlossen.').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'support-04-done-de.png') });
    await page.locator('#support-activity-close').click();
    await panel().waitFor({ state: 'detached' });

    // It ran and did not work (the tank ran dry): the customer is told, in German, that it did not complete.
    await stack.mcu.control('set water_tank_level 2');
    const rinse = await send('rinse');
    await panelText().getByText('„Spülen“ wurde nicht abgeschlossen. Der Support sieht, was passiert ist.').waitFor({
      timeout: 30_000,
    });
    expect(await panel().getAttribute('data-status')).toBe('failed');
    expect(stack.broker.fleet.commands.get(rinse)?.status).toBe('failed');
    await page.screenshot({ path: join(ARTIFACTS, 'support-05-failed-de.png') });
    await page.locator('#support-activity-close').click();
    await panel().waitFor({ state: 'detached' });
    await stack.mcu.control('set water_tank_level 100');
    await page.locator('#lang').click();
    await page.getByRole('heading', { name: 'Help topics' }).waitFor();
  });
});
