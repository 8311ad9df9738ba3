import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsolePage } from '../console/helpers.js';
import { WAIT, expectAttr, expectDeliveryHistory, expectText, shot, startE2E, type E2EStack } from './harness.js';

/**
 * Issue 6, the browser test: the console and the device's touchscreen as two
 * pages in one Chromium. Everything is real: the broker with its fleet
 * service and SSE live channel, the agent with its touch UI server, and the
 * virtual coffee machine behind a socat pty. The customer's taps are
 * followed live in the console; the case they open is claimed, the fix the
 * agent pushes runs on the MCU, and the resolution reaches the touchscreen.
 */
const DEVICE = 'cm-e2e-1';

let e: E2EStack;
let c: ConsolePage;
let touch: Page;
let agentPassword: string;

beforeAll(async () => {
  e = await startE2E(DEVICE);
  agentPassword = await e.stack.addStaff('erin', 'agent', 'Erin Agent');
  c = await ConsolePage.open(e.browser, e.stack.baseUrl);
  touch = await e.openTouchscreen();
});

afterAll(async () => {
  await e?.close();
});

const sensor = (id: string) => e.device.mcu.mcu.sensors.get(id);
const mirrorStep = () => c.mirrorScreen();

async function bothShots(name: string): Promise<void> {
  await shot(c.page, `${name}-console`);
  await shot(touch, `${name}-device`);
}

describe('support session end to end: console and touchscreen in Chromium, real agent, virtual MCU over a pty', () => {
  it('1. logs in and the device shows online in the fleet view', async () => {
    await c.login('erin', agentPassword);
    await expectText(c.liveState(), 'Live');
    await c.gotoFleet();
    await c.searchFleet(DEVICE);
    await expectText(c.fleetRow(DEVICE), 'Online');
    await expectText(c.fleetRow(DEVICE), 'coffee-machine');
    await bothShots('01-fleet-online');
  });

  it('2. the customer starts the descale flow on the touchscreen and the console mirror follows each tap', async () => {
    await c.gotoDevice(DEVICE);
    await expectText(c.devicePresence(), 'Online');
    await expectText(c.page.locator('tpc-help-mirror'), 'No help session');
    // Exactly one video call panel for the device (see the report: it was mounted twice).
    expect(await c.page.locator('tpc-device-panel tpc-video-call').count()).toBe(1);

    // The MCU's scale builds up: E05 appears on the touchscreen as an offer of help.
    await e.device.mcu.control('scenario scale_up');
    const offer = touch.locator('button[data-offer="E05"]');
    await offer.waitFor(WAIT);
    await offer.click();
    await touch.getByRole('heading', { name: 'Get ready to descale' }).waitFor(WAIT);
    await expectAttr(mirrorStep(), 'data-step', 'intro');
    await expectText(mirrorStep(), 'Get ready to descale');
    await bothShots('02a-flow-intro');

    // Next: both checks read the real sensors and pass; the confirmation sheet opens on the action step.
    await touch.locator('#next').click();
    await touch.getByRole('dialog', { name: 'Please confirm' }).waitFor(WAIT);
    await expectAttr(mirrorStep(), 'data-step', 'run_descale');
    await expectText(mirrorStep(), 'Descaling');
    await expectText(c.page.locator('tpc-help-mirror ol'), 'Sensor check passed');
    const screens = await c.mirrorSteps().allInnerTexts();
    expect(screens.map((s) => s.split('\n')[0])).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Get ready to descale'),
        expect.stringContaining('Checking the machine'),
        expect.stringContaining('Descaling'),
      ]),
    );
    await bothShots('02b-flow-confirm');

    // The customer pulls the tank while the sheet is open, then confirms: the action fails on the device.
    await e.device.mcu.control('set water_tank_level 20');
    await touch.locator('#confirm-action').click();
    await touch.getByRole('heading', { name: 'We need to take a closer look' }).waitFor(WAIT);
    await expectAttr(mirrorStep(), 'data-step', 'escalate');
    await expectText(c.page.locator('tpc-help-mirror ol'), 'Action descale: failed');
    await expectText(c.page.locator('tpc-help-mirror'), 'escalated');
    await bothShots('02c-flow-escalate');
    expect(sensor('scale_level')).toBeGreaterThan(80);
  });

  let caseLink: Locator;

  it('3. the customer escalates (consent, Share) and the case appears in the console queue live', async () => {
    await c.gotoQueue();
    const cases = c.page.locator('tpc-queue-panel a.case');
    const before = await cases.count();
    await touch.locator('#support').click();
    await touch.getByRole('dialog', { name: 'Contact support' }).waitFor(WAIT);
    expect(await touch.locator('#shared-items li strong').allTextContents()).toEqual([
      'Device diagnostics',
      'This help session',
    ]);
    await bothShots('03a-consent');
    await touch.locator('#consent-share').click();
    await expectAttr(touch.locator('#case-status'), 'data-stage', 'waiting');

    // No reload: the live channel brings the case and a notification.
    caseLink = cases.filter({ hasText: DEVICE });
    await caseLink.waitFor(WAIT);
    expect(await cases.count()).toBe(before + 1);
    await expectText(c.toast(), `New case from ${DEVICE}`);
    await expectText(caseLink, 'descale_failed');
    await bothShots('03b-case-queued');
  });

  it('4. the agent claims the case and pushes descale; it runs on the virtual MCU and the console shows succeeded', async () => {
    await caseLink.click();
    await c.page.locator('tpc-queue-panel button.primary', { hasText: 'Claim' }).click();
    await expectText(caseLink, 'claimed by Erin Agent');
    await touch.getByText('Erin Agent is looking at your device.').waitFor(WAIT);
    expect(await c.page.locator('tpc-queue-panel tpc-video-call').count()).toBe(1);
    await bothShots('04a-claimed');

    // The customer refills the tank on the phone with support; the agent descales remotely.
    await e.device.mcu.control('set water_tank_level 100');
    expect([...e.device.mcu.mcu.errors]).toContain('E05');
    await c.page.locator('tpc-queue-panel dd a', { hasText: DEVICE }).click();
    await c.page.locator('tpc-device-panel select#action').waitFor(WAIT);
    await c.pushFix('descale', { intensity: 'strong' });
    await expect.poll(() => c.latestCommand().locator('ol').getAttribute('data-status'), WAIT).toBe('succeeded');
    await expectText(c.latestCommand(), 'descale');
    // The MCU really descaled: scale gone, E05 cleared.
    // Descale set it to 0; the simulator's scale trend (+0.01 a tick) may have added a tick or two since.
    expect(sensor('scale_level')).toBeLessThan(0.1);
    expect([...e.device.mcu.mcu.errors]).not.toContain('E05');
    const history = e.stack.broker.fleet.commands.listForDevice(DEVICE)[0]!.history.map((h) => h.status);
    expectDeliveryHistory(history, 'succeeded');
    await bothShots('04b-fix-succeeded');
  });

  it('5. the agent resolves the case and the touchscreen shows it resolved', async () => {
    await c.gotoQueue();
    await caseLink.click();
    await c.page.locator('tpc-queue-panel button', { hasText: 'Mark resolved' }).click();
    await expectAttr(touch.locator('#case-status'), 'data-stage', 'resolved');
    await bothShots('05-resolved');
    expect(e.stack.broker.fleet.cases.listForDevice(DEVICE)[0]!.status).toBe('resolved');
    expect(c.pageErrors).toEqual([]);
    expect(c.cspViolations).toEqual([]);
  });
});
