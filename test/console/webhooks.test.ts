import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator } from 'playwright-core';
import { WEBHOOK_HEADERS, webhookEvent } from '@touchpoint/protocol';
import { docScreenshot } from '../helpers/doc-screenshot.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';
import { verifyTouchpointWebhook } from '../helpers/webhook-verify.js';
import { FAST_RETRIES, WebhookStack } from '../webhooks/harness.js';
import { ConsolePage, buildConsoleInto, deepText, launchChromium, type SimulatedDevice } from './helpers.js';

/**
 * Issue 17, "a dead-letter view in the console, and replay": the Webhooks view in Chromium against a real
 * broker and a real receiver on loopback. The secret the view shows once signs the deliveries; a delivery the
 * receiver refused three times is in the dead-letter list, and Replay there delivers it.
 */

let stack: WebhookStack;
let browser: Browser;
let rx: WebhookReceiver;
let device: SimulatedDevice;
let consoleDir: string | undefined;
const TIMEOUT = { timeout: 10_000 };

beforeAll(async () => {
  // Built into a temp dir (as startConsoleStack does), so the test never races a developer's console/dist.
  consoleDir = mkdtempSync(join(tmpdir(), 'tp-webhooks-console-'));
  await buildConsoleInto(consoleDir);
  stack = await WebhookStack.start({ consoleDir, webhooks: FAST_RETRIES });
  device = await stack.device('cm-web-1');
  rx = await WebhookReceiver.start();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await device?.close();
  await rx?.close();
  await stack?.close();
  if (consoleDir) rmSync(consoleDir, { recursive: true, force: true });
});

async function expectText(locator: Locator, text: string): Promise<void> {
  await expect.poll(() => deepText(locator), TIMEOUT).toContain(text);
}

describe('the Webhooks view in Chromium (issue 17)', () => {
  it('an admin creates a webhook, sees its secret once, replays a dead letter, pauses it; adds, edits and deletes the Zammad connector', async () => {
    const c = await ConsolePage.open(browser, stack.baseUrl);
    try {
      await c.login('admin', stack.adminPassword);
      const navLink = c.page.locator('tpc-app nav a[href="#/webhooks"]');
      await expectText(navLink, 'Webhooks');
      await navLink.click();
      const view = c.page.locator('tpc-webhooks-panel');
      await view.locator('h1').waitFor(TIMEOUT);
      await expectText(view, 'No webhooks yet.');

      // A URL that is not http(s) is refused at the form, with the broker's reason; nothing is created.
      const form = view.locator('form');
      await form.locator('input[name=name]').fill('ops-alerts');
      await form.locator('input[name=url]').fill('ftp://ops.example.com/hook');
      await form.locator('button[type=submit]').click();
      await expectText(form.locator('[data-problems]'), 'must be an http:// or https:// URL');

      await form.locator('input[name=url]').fill(rx.url);
      await form.locator('input[name=events][value="error.raised"]').check();
      await form.locator('button[type=submit]').click();
      const secretBox = view.locator('tpc-shown-once');
      await expectText(secretBox, 'Shown once: copy it now');
      const secret = await secretBox.locator('input.token').inputValue();
      expect(secret).toMatch(/^whsec_/);
      const row = view.locator('tr[data-webhook="ops-alerts"]');
      await expectText(row, 'Case opened');
      await expectText(row, 'Error raised');
      await expectText(row, 'enabled');
      await secretBox.locator('button.done').click();
      expect(await secretBox.count()).toBe(0);

      // The receiver is down: three attempts, then the dead-letter list.
      rx.fallback = 503;
      await device.escalate('case-web-1', 'descale_failed', 'descale', 'hs-web', []);
      await rx.waitFor(() => true, 'the third attempt', FAST_RETRIES.maxAttempts!);
      const deliveries = view.locator('tpc-webhook-deliveries');
      await deliveries.locator('select[data-testid=delivery-filter]').selectOption('dead');
      const dead = deliveries.locator('tr[data-status="dead"]');
      await expect
        .poll(async () => {
          await deliveries.locator('button.refresh').click();
          return deepText(dead);
        }, TIMEOUT)
        .toContain('dead letter');
      await expectText(dead, 'Case opened');
      expect(await dead.locator('li[data-attempt]').count()).toBe(3);
      await expectText(dead.locator('li[data-attempt="3"]'), 'HTTP 503');
      await expectText(dead.locator('li[data-attempt="1"]'), 'next attempt');

      // Replay, with the receiver back: the same event arrives, signed with the secret the view showed.
      rx.fallback = 200;
      await dead.locator('button.replay').click();
      await expectText(deliveries.locator('[data-notice]'), 'queued again');
      const delivered = await rx.waitFor((r) => r.answered === 200, 'the replayed delivery');
      const event = webhookEvent.parse(JSON.parse(delivered.body));
      expect(event).toMatchObject({ type: 'case.opened', data: { case: { id: 'case-web-1' } } });
      const h = (name: string) => delivered.headers[name] as string | undefined;
      expect(
        verifyTouchpointWebhook(secret, delivered.body, h(WEBHOOK_HEADERS.timestamp), h(WEBHOOK_HEADERS.signature)),
      ).toBe('ok');
      await deliveries.locator('select[data-testid=delivery-filter]').selectOption('');
      const replayRow = deliveries.locator('tr[data-status="delivered"]');
      await expect
        .poll(async () => {
          await deliveries.locator('button.refresh').click();
          return deepText(replayRow);
        }, TIMEOUT)
        .toContain('replay of #');
      await expectText(replayRow, 'HTTP 200');
      await view.locator('button.edit').first().scrollIntoViewIfNeeded();
      await expectText(row, '0 waiting · 1 dead');
      expect((await stack.broker.fleet.audit.list({ action: 'webhook.replay', limit: 1 }))[0]).toMatchObject({
        target: 'ops-alerts',
        outcome: 'ok',
        actorRole: 'admin',
      });
      await c.page.locator('tpc-webhooks-panel h1').scrollIntoViewIfNeeded();
      await docScreenshot(c.page, 'webhooks.png');
      await docScreenshot(deliveries, 'webhooks-deliveries.png');

      // Pause: the row says so, and the broker has it disabled.
      await row.locator('button.toggle').click();
      await expectText(row, 'disabled');
      expect((await stack.broker.fleet.audit.list({ action: 'webhook.update', limit: 1 }))[0]).toMatchObject({
        target: 'ops-alerts',
        detail: { enabled: false },
      });

      // The Zammad connector from the same form: its fields, then the signature token and the address for Zammad.
      await form.locator('select[name=kind]').selectOption('zammad');
      await form.locator('input[name=name]').fill('helpdesk');
      await form.locator('input[name=url]').fill('http://127.0.0.1:9');
      await form.locator('input[name=token]').fill('zammad-api-token-0123456789');
      await form.locator('input[name=customer]').fill('devices@example.com');
      expect(await form.locator('input[name=group]').inputValue()).toBe('Users');
      await form.locator('button[type=submit]').click();
      await expectText(secretBox, 'Signature token for Zammad');
      const connector = stack.broker.fleet.db
        .prepare("SELECT id, secret, inbound_secret AS inbound FROM webhook_endpoints WHERE name = 'helpdesk'")
        .get() as { id: string; secret: string; inbound: string };
      expect(await secretBox.locator('input.token').inputValue()).toBe(connector.inbound);
      await expectText(secretBox.locator('[data-inbound]'), `${stack.baseUrl}/hooks/zammad/${connector.id}`);
      expect(connector.secret).toBe('zammad-api-token-0123456789');
      await expectText(view.locator('tr[data-webhook="helpdesk"]'), 'Zammad');
      await secretBox.locator('button.done').click();

      // Edit: the form takes the connector's settings; saved, the broker has the new group.
      await view.locator('tr[data-webhook="helpdesk"] button.edit').click();
      await expectText(view, 'Edit helpdesk');
      expect(await form.locator('input[name=customer]').inputValue()).toBe('devices@example.com');
      await form.locator('input[name=group]').fill('Support');
      await form.locator('button[type=submit]').click();
      await expectText(view.locator('[data-notice]'), 'helpdesk saved.');
      const settings = stack.broker.fleet.db
        .prepare("SELECT settings FROM webhook_endpoints WHERE name = 'helpdesk'")
        .pluck()
        .get() as string;
      expect(JSON.parse(settings)).toEqual({ group: 'Support', customer: 'devices@example.com' });

      // Delete asks first; cancelled nothing happens, confirmed the row and its deliveries are gone.
      await view.locator('tr[data-webhook="helpdesk"] button.delete').click();
      await view.locator('tpc-confirm-dialog dialog[open]').waitFor(TIMEOUT);
      await view.locator('tpc-confirm-dialog dialog[open] button:not(.primary)').click();
      expect(await view.locator('tr[data-webhook="helpdesk"]').count()).toBe(1);
      await view.locator('tr[data-webhook="helpdesk"] button.delete').click();
      await view.locator('tpc-confirm-dialog dialog[open] button.primary').click();
      await expectText(view.locator('[data-notice]'), 'helpdesk deleted with its deliveries.');
      expect(await view.locator('tr[data-webhook="helpdesk"]').count()).toBe(0);
      expect((await stack.broker.fleet.audit.list({ action: 'webhook.delete', limit: 1 }))[0]).toMatchObject({
        target: 'helpdesk',
        outcome: 'ok',
      });
      expect(c.pageErrors).toEqual([]);
      expect(c.cspViolations).toEqual([]);
    } finally {
      await c.close();
    }
  });

  it('shows the same view in German (issue 16: every console string in en and de)', async () => {
    const c = await ConsolePage.open(browser, stack.baseUrl, 'de-DE');
    try {
      await c.login('admin', stack.adminPassword);
      await c.page.locator('tpc-app nav a[href="#/webhooks"]').click();
      const view = c.page.locator('tpc-webhooks-panel');
      await expectText(view.locator('h2').first(), 'Empfänger');
      const row = view.locator('tr[data-webhook="ops-alerts"]');
      await expectText(row, 'pausiert');
      await expectText(row, 'Fall eröffnet');
      await expectText(row, '0 wartend · 1 unzustellbar');
      const deliveries = view.locator('tpc-webhook-deliveries');
      await expectText(deliveries, 'Zustellungen');
      await expectText(deliveries.locator('tr[data-status="dead"]'), 'unzustellbar');
      await expectText(deliveries.locator('tr[data-status="delivered"]'), 'Wiederholung von #1');
      await expectText(deliveries.locator('button.replay').first(), 'Erneut senden');
      await expectText(view, 'Webhook oder Zammad-Connector anlegen');
      expect(c.pageErrors).toEqual([]);
    } finally {
      await c.close();
    }
  });
});
