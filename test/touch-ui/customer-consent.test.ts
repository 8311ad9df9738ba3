import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffMember } from '@touchpoint/broker';
import { docScreenshot } from '../helpers/doc-screenshot.js';
import { CHROMIUM, REPO_ROOT, eventually, openConsoleAsAdmin, startTouchStack, type TouchStack } from './harness.js';

/**
 * Issue 16, "the customer always knows what support does": an action the
 * profile marks `needsCustomer` (the coffee machine's "Clear grinder": the
 * grinder turns) waits for the customer's tap on the touchscreen. Allow runs
 * it, Decline and no answer refuse it with a code the fleet records, and while
 * the customer allows remote control it runs without the question but still
 * shows in the support panel; the console's device view says whether remote
 * control is allowed and until when. Real Chromium at 800x480, the real agent and
 * broker, the virtual coffee machine behind a socat pty.
 */
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'touch-ui');
const WAIT_S = 8;

let stack: TouchStack;
let browser: Browser;
let page: Page;
let staff: StaffMember;

const ask = () => page.locator('#support-ask');
const panelText = () => page.locator('#support-activity-text');

async function sendGrinder(): Promise<string> {
  const sent = await stack.broker.fleet.commands.send({
    deviceId: stack.deviceId,
    action: 'clear_grinder',
    params: { pulses: 1 },
    staff,
    ttlMs: 60_000,
  });
  return sent.id;
}

const final = (id: string) =>
  eventually(() => {
    const record = stack.broker.fleet.commands.get(id);
    return record && !['queued', 'delivered', 'accepted'].includes(record.status) ? record : undefined;
  }, `the outcome of ${id} in the fleet`);
const lastCode = (id: string) => stack.broker.fleet.commands.get(id)?.history.at(-1)?.code;

async function closePanel(): Promise<void> {
  await page.locator('#support-activity-close').click();
  await page.locator('#support-activity').waitFor({ state: 'detached' });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startTouchStack({
    deviceId: 'cm-touch-consent',
    pty: true,
    withConsole: true,
    agent: { commands: { clockSkewS: 60, customerWaitS: WAIT_S, remoteControlMinutes: 30 } },
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

describe('a staff action that needs the customer waits for their tap', () => {
  it('asks with the reason; nothing runs until Allow; then it runs and the panel shows the result', async () => {
    const id = await sendGrinder();
    await ask().waitFor();
    await expect(page.locator('#support-ask-title').textContent()).resolves.toBe(
      'Support would like to run “Clear grinder” on your device',
    );
    await expect(page.locator('#support-ask-reason').textContent()).resolves.toBe(
      'The grinder turns. Please keep your hands out of the bean hopper.',
    );
    // The question and its buttons are on screen at 800x480, each a full touch target.
    for (const button of ['#support-allow', '#support-decline', '#support-allow-remote']) {
      const box = await page.locator(button).boundingBox();
      expect([button, box!.y + box!.height <= 480, box!.height >= 48]).toEqual([button, true, true]);
    }
    expect(stack.broker.fleet.commands.get(id)?.history.map((h) => h.status)).not.toContain('accepted');
    await page.screenshot({ path: join(ARTIFACTS, 'consent-01-ask-en.png') });

    await page.locator('#support-allow').click();
    await panelText().getByText('“Clear grinder” is done.').waitFor({ timeout: 30_000 });
    expect((await final(id)).status).toBe('succeeded');
    expect(await ask().count()).toBe(0);
    await closePanel();
  });

  it('Decline refuses it: the fleet records CUSTOMER_DECLINED and the customer is told nothing ran', async () => {
    const id = await sendGrinder();
    await ask().waitFor();
    await page.locator('#support-decline').click();
    await panelText().getByText('You declined “Clear grinder”. Support has been told.').waitFor();
    await expect(page.locator('#support-activity-title').textContent()).resolves.toBe(
      'Nothing was done on your device',
    );
    expect((await final(id)).status).toBe('rejected');
    expect(lastCode(id)).toBe('CUSTOMER_DECLINED');
    await closePanel();
  });

  it('no answer within the wait refuses it with CUSTOMER_NO_ANSWER', async () => {
    const id = await sendGrinder();
    await ask().waitFor();
    await panelText()
      .getByText('“Clear grinder” was not run: nobody answered in time.')
      .waitFor({ timeout: (WAIT_S + 20) * 1000 });
    expect(await ask().count()).toBe(0);
    expect((await final(id)).status).toBe('rejected');
    expect(lastCode(id)).toBe('CUSTOMER_NO_ANSWER');
    await closePanel();
  });

  it('with remote control allowed it runs without the question and still shows; ending it brings the question back (German)', async () => {
    // Staff watch the device in the console, with fresh diagnostics: remote control is not allowed yet.
    const diag = await stack.broker.fleet.commands.send({
      deviceId: stack.deviceId,
      action: 'diagnostics.request',
      params: {},
      staff,
      ttlMs: 60_000,
    });
    expect((await final(diag.id)).status).toBe('succeeded');
    const staffView = await openConsoleAsAdmin(browser, stack);
    await staffView.gotoDevice(stack.deviceId);
    const remoteCell = staffView.page.locator('tpc-device-panel #remote-control');
    await remoteCell.getByText('Not allowed: actions that need the customer wait for their tap').waitFor();

    await page.locator('#lang').click();
    await page.getByText('Hilfethemen').first().waitFor();
    const first = await sendGrinder();
    await ask().waitFor();
    await expect(page.locator('#support-ask-title').textContent()).resolves.toBe(
      'Der Support möchte „Mahlwerk freifahren“ an Ihrem Gerät ausführen',
    );
    // Allowing remote control answers the question on screen too.
    await page.locator('#support-allow-remote').getByText('Fernsteuerung für 30 Minuten erlauben').click();
    await page.locator('#support-remote').waitFor();
    await expect(page.locator('#support-remote-text').textContent()).resolves.toMatch(
      /^Fernsteuerung erlaubt bis \d{1,2}:\d{2} Uhr$/,
    );
    expect((await final(first)).status).toBe('succeeded');
    // The console learns it at once (a diagnostics snapshot), with the time it ends.
    await remoteCell.getByText('Allowed by the customer').waitFor();
    expect(await remoteCell.locator('[data-remote=allowed]').textContent()).toMatch(
      /until \w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2}\s?[AP]M/,
    );
    await staffView.page.screenshot({ path: join(ARTIFACTS, 'consent-03-console-remote.png') });
    await panelText().getByText('„Mahlwerk freifahren“ ist abgeschlossen.').waitFor({ timeout: 30_000 });
    await closePanel();

    const second = await sendGrinder();
    // No question: it runs, and the support panel shows it like any staff action.
    await panelText().getByText('„Mahlwerk freifahren“ ist abgeschlossen.').waitFor({ timeout: 30_000 });
    expect((await final(second)).status).toBe('succeeded');
    expect(await ask().count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'consent-02-remote-de.png') });
    await closePanel();
    // The indicator stays while remote control is allowed, on every screen.
    expect(await page.locator('#support-remote').isVisible()).toBe(true);

    await page.locator('#support-remote-end').click();
    await page.locator('#support-remote').waitFor({ state: 'detached' });
    await remoteCell.getByText('Not allowed: actions that need the customer wait for their tap').waitFor();
    await staffView.page.context().close();
    const third = await sendGrinder();
    await ask().waitFor();
    await page.locator('#support-decline').click();
    expect((await final(third)).status).toBe('rejected');
    await closePanel();
    await page.locator('#lang').click();
    await page.getByRole('heading', { name: 'Help topics' }).waitFor();
  });
});

describe('receipts: the support history on the device', () => {
  it("lists each staff fix and the customer case: what was done, what was shared (the snapshot's errors and readings), by whom (name and role), when; newest first", async () => {
    // The customer asks for help; staff claim the case.
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

    await page.locator('#history-open').click();
    await page.getByRole('heading', { name: 'Support history' }).waitFor();
    const items = page.locator('#history li');
    const texts = async () => (await items.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    // Newest first: the case, then every staff action of the tests above.
    await eventually(async () => (await texts())[0]?.includes('a support agent took it on'), 'the claimed case on top');
    const lines = await texts();
    // The case: what the customer shared at escalation, down to the error codes and the readings by name.
    expect(lines[0]).toMatch(
      /^Your support request: a support agent took it on Shared with support: device diagnostics, your help steps Error codes: [^·]+ · Readings: State, Water tank, Bean hopper, Boiler temperature, .+ Sam Support · \d+\/\d+\/\d+, \d+:\d{2}\s?[AP]M$/,
    );
    // Each fix names who did it (the signed command's issuer) and when.
    const by = / Sam Support \(support agent\) · \d+\/\d+\/\d+, \d+:\d{2}\s?[AP]M$/;
    expect(lines.slice(1).filter((l) => !by.test(l))).toEqual([]);
    expect(lines.slice(1).map((l) => l.replace(by, ''))).toEqual([
      '“Clear grinder”: you declined',
      '“Clear grinder”: done',
      '“Clear grinder”: done',
      '“Request diagnostics”: done', // staff asked for diagnostics: the panel showed it, so it is a receipt
      '“Clear grinder”: not run, nobody answered',
      '“Clear grinder”: you declined',
      '“Clear grinder”: done',
    ]);
    expect(
      await page
        .locator('#history-close')
        .boundingBox()
        .then((b) => b!.y + b!.height <= 480),
    ).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'history-01-en.png') });
    await docScreenshot(page, 'touch-ui-support-history.png');

    await page.locator('#lang').click();
    await page.getByRole('heading', { name: 'Support-Verlauf' }).waitFor();
    expect((await texts())[1]).toMatch(
      /^„Mahlwerk freifahren“: von Ihnen abgelehnt Sam Support \(Support-Mitarbeiter\) · /,
    );
    expect((await texts())[0]).toMatch(/ Fehlercodes: [^·]+ · Messwerte: Zustand, Wassertank, /);
    await page.screenshot({ path: join(ARTIFACTS, 'history-02-de.png') });
    await page.locator('#lang').click();
    await page.locator('#history-close').click();
    await page.getByRole('heading', { name: 'Help topics' }).waitFor();
  });
});
