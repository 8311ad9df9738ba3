import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleDownload } from '@touchpoint/protocol';
import type { ConsolePage } from '../console/helpers.js';
import { docScreenshot } from '../helpers/doc-screenshot.js';
import { WAIT, escalateFromKiosk, expectText, signedInAgent, startE2E, type E2EStack } from './harness.js';

/**
 * Issue 17, "Support bundles", in Chromium: the agent requests a bundle from the case view, the customer's
 * touchscreen shows the summary and the redacted content exactly as it would be sent, the customer taps
 * Send, and the console offers the stored bundle for download. The real broker, the real agent with its
 * touch UI, the virtual coffee machine behind a socat pty.
 */
const DEVICE = 'cm-bundle-ui';
const PLANTED_EMAIL = 'max.mustermann@example.org';

let e: E2EStack;
let c: ConsolePage;
let touch: Page;
let caseId: string;

beforeAll(async () => {
  e = await startE2E(DEVICE);
  c = await signedInAgent(e, 'bea', 'Bea Agent');
  touch = await e.openTouchscreen();
  caseId = await escalateFromKiosk(e, 'the descale failed');
});

afterAll(async () => {
  await e?.close();
});

describe('a support bundle from the case view to the touchscreen and back', () => {
  it('shows the customer what would be sent, sends it on Send, and the console downloads it', async () => {
    e.device.agent.services.logger.warn('customer wrote to support', { note: `reply to ${PLANTED_EMAIL}` });
    await c.page.goto(`${e.stack.baseUrl}/#/queue`);
    await c.page.locator(`tpc-queue-panel a.case[data-case="${caseId}"]`).click();
    await c.page.locator('#bundle-request').click();
    await expectText(c.page.locator(`tpc-case-bundles li[data-status="requested"]`), 'waiting for the customer');

    const sheet = touch.locator('tp-bundle-sheet');
    await touch.getByRole('heading', { name: 'Send a diagnostic report to support?' }).waitFor(WAIT);
    await expectText(sheet.locator('#bundle-intro'), 'Bea Agent from support asks for a diagnostic report');
    await expectText(sheet.locator('#bundle-summary'), 'device log lines');
    await expectText(sheet.locator('#bundle-redacted'), 'email addresses: 1');
    await sheet.getByText('Show exactly what will be sent').click();
    const content = (await sheet.locator('#bundle-content').textContent()) ?? '';
    expect(content).toContain('customer wrote to support');
    expect(content).toContain('[redacted:email]');
    expect(content).not.toContain(PLANTED_EMAIL);
    await docScreenshot(touch, 'support-bundle-consent.png');
    // Nothing has left the device before the tap.
    expect(e.stack.broker.fleet.bundles.list(caseId)[0]?.status).toBe('requested');

    await sheet.locator('#bundle-send').click();
    await touch.getByRole('heading', { name: 'Send a diagnostic report to support?' }).waitFor({
      state: 'hidden',
      ...WAIT,
    });

    const stored = c.page.locator('tpc-case-bundles li[data-status="stored"]');
    await expectText(stored, 'sent by the customer');
    await docScreenshot(c.page.locator('#case-bundles'), 'support-bundle-console.png');
    const [download] = await Promise.all([c.page.waitForEvent('download', WAIT), stored.locator('a.download').click()]);
    const file = await download.path();
    const body = JSON.parse(await readFile(file, 'utf8')) as BundleDownload;
    expect(body.caseId).toBe(caseId);
    expect(body.status).toBe('stored');
    expect(body.bundle.agentLog.some((l) => l.line.includes('customer wrote to support'))).toBe(true);
    expect(JSON.stringify(body)).not.toContain(PLANTED_EMAIL);
    expect(c.pageErrors).toEqual([]);
  });

  it("asks in German, and Don't send shows as a refusal in the console", async () => {
    await touch.locator('#lang').click();
    await c.page.locator('#bundle-request').click();
    const heading = touch.getByRole('heading', { name: 'Einen Diagnosebericht an den Support senden?' });
    await heading.waitFor(WAIT);
    await expectText(
      touch.locator('tp-bundle-sheet #bundle-intro'),
      'Es wird nichts gesendet, solange Sie nicht auf Senden tippen',
    );
    await touch.locator('tp-bundle-sheet #bundle-refuse').click();
    await heading.waitFor({ state: 'hidden', ...WAIT });
    await expectText(c.page.locator('tpc-case-bundles li[data-status="refused"]'), 'refused by the customer');
    expect(e.stack.broker.fleet.bundles.list(caseId).map((b) => b.status)).toEqual(['refused', 'stored']);
    expect(c.pageErrors).toEqual([]);
  });
});
