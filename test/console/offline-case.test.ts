import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { header, type CaseOpenMessage } from '@touchpoint/protocol';
import {
  ConsolePage,
  SimulatedDevice,
  deepText,
  launchChromium,
  startConsoleStack,
  type ConsoleStack,
} from './helpers.js';

/**
 * Issue 16: a case queued offline keeps the customer's request time. A device
 * on real MQTT delivers an escalation its outbox held through a 20-minute
 * outage (the message is stamped when the customer asked); the console's queue
 * shows the SLA as breached and the waiting time from the request, and the
 * case says when it arrived.
 */
let stack: ConsoleStack;
let browser: Browser;
let device: SimulatedDevice;
const WAIT = { timeout: 10_000 };
const OUTAGE_MS = 20 * 60 * 1000;

beforeAll(async () => {
  stack = await startConsoleStack();
  device = await SimulatedDevice.provision(stack, 'cm-was-offline');
  await device.connect();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await device?.close();
  await stack?.close();
});

describe('the queue after an offline escalation', () => {
  it('counts the SLA and the waiting time from the request, and shows the arrival', async () => {
    const password = await stack.addStaff('quinn', 'agent', 'Quinn Agent');
    const c = await ConsolePage.open(browser, stack.baseUrl);
    await c.login('quinn', password);

    const askedAt = Date.now() - OUTAGE_MS;
    const msg: CaseOpenMessage = {
      ...header(askedAt),
      deviceId: device.deviceId,
      caseId: 'case-was-offline',
      reason: 'descale_failed',
      locale: 'en',
      trace: [],
      consent: { diagnostics: true, helpSession: true, at: askedAt },
    };
    await device.publish('caseOpen', msg);

    await c.page.goto(`${stack.baseUrl}/#/queue`);
    const row = c.page.locator('tpc-queue-panel a.case[data-case="case-was-offline"]');
    // 20 min since the request is past the 15-minute SLA; counted from the arrival it would have 15 min left.
    await expect.poll(() => deepText(row), WAIT).toContain('waiting 20 min');
    await expect
      .poll(() => row.locator('tpc-badge').getAttribute('label'), WAIT)
      .toMatch(/^SLA breached 5 min( \d+ s)? ago$/);

    await row.click();
    const detail = c.page.locator('tpc-queue-panel dl');
    await expect.poll(() => deepText(detail.locator('[data-received]')), WAIT).toContain('the device was offline');
    await expect.poll(() => deepText(detail.locator('[data-requested]')), WAIT).toMatch(/\(\s*20 min/);
    const stored = stack.broker.fleet.cases.get('case-was-offline')!;
    expect(stored.openedAt).toBe(askedAt);
    expect(stored.receivedAt - stored.openedAt).toBeGreaterThanOrEqual(OUTAGE_MS);
    await c.screenshot('queue-offline-case');
    expect(c.pageErrors).toEqual([]);
  });
});
