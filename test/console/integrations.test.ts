import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, Locator } from 'playwright-core';
import { ConsolePage, deepText, launchChromium, startConsoleStack, type ConsoleStack } from './helpers.js';

/**
 * Issue 13, "Admins manage them in the console too": the Integrations view in
 * Chromium against a real broker. The token the view shows once really
 * connects over MQTT, and rotate and revoke in the view really end it.
 */

let stack: ConsoleStack;
let browser: Browser;
let agentPassword: string;
const TIMEOUT = { timeout: 5_000 };

beforeAll(async () => {
  stack = await startConsoleStack();
  agentPassword = await stack.addStaff('andrea', 'agent', 'Andrea Agent');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function expectText(locator: Locator, text: string): Promise<void> {
  await expect.poll(() => deepText(locator), TIMEOUT).toContain(text);
}

/** Resolves when the broker closes the client's connection; fails after 5 s with `what`. */
function closedBy(client: MqttClient, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: the connection was not closed within 5 s`)), 5_000);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function mqttConnect(name: string, token: string): Promise<MqttClient> {
  return mqtt.connectAsync(stack.mqttUrl, {
    username: name,
    password: token,
    clientId: `${name}-1`,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
  });
}

describe('the Integrations view in Chromium (issue 13)', () => {
  it('an admin creates an account, sees its token once, rotates and revokes it; the MQTT connection follows', async () => {
    const c = await ConsolePage.open(browser, stack.baseUrl);
    try {
      await c.login(stack.admin.name, stack.admin.password);
      const navLink = c.page.locator('tpc-app nav a[href="#/integrations"]');
      await expectText(navLink, 'Integrations');
      await navLink.click();
      const view = c.page.locator('tpc-integrations-panel');
      await view.locator('h1').waitFor(TIMEOUT);

      // The built-in service account is listed, marked, and has no buttons.
      const service = view.locator('tr[data-account="service"]');
      await expectText(service, 'built-in');
      expect(await service.locator('button').count()).toBe(0);

      // A publish filter in the device tree is refused at its field; nothing is created.
      const form = view.locator('form');
      await form.locator('input[name=name]').fill('erp');
      await form.locator('textarea[name=subscribe]').fill('tp/v1/d/+/evt\ntp/v1/d/+/diag');
      await form.locator('textarea[name=publish]').fill('tp/v1/d/+/cmd');
      await form.locator('textarea[name=models]').fill('coffee-machine');
      await form.locator('button[type=submit]').click();
      await expectText(form.locator('[data-problems=publish]'), 'integrations may not publish in the device tree');
      expect(await stack.broker.fleet.integrations.get('erp')).toBeUndefined();

      // Fixed, it is created and its token is shown once, with the warning.
      await form.locator('textarea[name=publish]').fill('');
      await form.locator('button[type=submit]').click();
      const secret = view.locator('tpc-shown-once');
      await expectText(secret, 'Shown once: copy it now');
      const token = await secret.locator('input.token').inputValue();
      expect(token.length).toBeGreaterThanOrEqual(32);
      expect(await secret.locator('input.token').getAttribute('readonly')).not.toBeNull();
      // Copy puts exactly the token on the clipboard.
      await c.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.baseUrl });
      await secret.locator('button.copy').click();
      await expectText(secret, 'Copied');
      expect(await c.page.evaluate(() => navigator.clipboard.readText())).toBe(token);
      await expectText(view.locator('tr[data-account="erp"]'), 'tp/v1/d/+/diag');
      await expectText(view.locator('tr[data-account="erp"]'), 'coffee-machine');
      expect((await stack.broker.fleet.audit.list({ action: 'integration.create', limit: 1 }))[0]).toMatchObject({
        target: 'erp',
        outcome: 'ok',
        actorRole: 'admin',
      });

      // The token the view showed is the account's MQTT password.
      const first = await mqttConnect('erp', token);

      // A second account for the screenshot of the list.
      await form.locator('input[name=name]').fill('data-lake');
      await form.locator('textarea[name=subscribe]').fill('tp/v1/d/+/evt');
      await form.locator('textarea[name=deny]').fill('tp/v1/d/lab-01/evt');
      await form.locator('textarea[name=models]').fill('');
      await form.locator('input[name=clientIdPrefix]').fill('lake-');
      await form.locator('button[type=submit]').click();
      await expectText(secret, 'MQTT password for data-lake');
      await expectText(view.locator('tr[data-account="data-lake"]'), 'lake-*');
      await view.locator('h1').scrollIntoViewIfNeeded();
      await c.screenshot('integrations');

      // Shown once: after Done and a reload the view has no token left to show.
      await secret.locator('button.done').click();
      expect(await secret.count()).toBe(0);
      await c.page.reload();
      await view.locator('tr[data-account="erp"]').waitFor(TIMEOUT);
      expect(await view.locator('tpc-shown-once').count()).toBe(0);
      expect(await deepText(view)).not.toContain(token);

      // Rotate, after a confirmation: a new token, the old connection is closed.
      const erp = view.locator('tr[data-account="erp"]');
      const dialog = view.locator('tpc-confirm-dialog dialog[open]');
      await erp.locator('button.rotate').click();
      await expectText(dialog, 'Give erp a new token?');
      const firstClosed = closedBy(first, 'rotate');
      await dialog.locator('button.primary').click();
      await expectText(view.locator('tpc-shown-once'), 'MQTT password for erp');
      const rotated = await view.locator('tpc-shown-once input.token').inputValue();
      expect(rotated).not.toBe(token);
      await firstClosed;
      first.end(true);
      await expect.poll(() => deepText(erp), TIMEOUT).not.toContain('never');
      const second = await mqttConnect('erp', rotated);

      // Revoke: cancelling does nothing; confirming closes the connection and leaves no buttons.
      await erp.locator('button.revoke').click();
      await dialog.locator('button:not(.primary)').click();
      expect((await stack.broker.fleet.integrations.get('erp'))?.revokedAt).toBeNull();
      await erp.locator('button.revoke').click();
      await expectText(dialog, 'Revoke erp?');
      const secondClosed = closedBy(second, 'revoke');
      await dialog.locator('button.primary').click();
      await expectText(erp, 'revoked');
      await secondClosed;
      second.end(true);
      expect(await erp.locator('button').count()).toBe(0);
      expect(
        (await stack.broker.fleet.audit.list({ limit: 10 }))
          .filter((r) => r.target === 'erp' && r.outcome === 'ok')
          .map((r) => r.action),
      ).toEqual(expect.arrayContaining(['integration.rotate', 'integration.revoke']));
      expect(c.pageErrors).toEqual([]);
      expect(c.cspViolations).toEqual([]);
    } finally {
      await c.close();
    }
  });

  it('speaks German to a German browser', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 960 }, locale: 'de-DE' });
    const c = new ConsolePage(await context.newPage(), stack.baseUrl);
    try {
      await c.login(stack.admin.name, stack.admin.password);
      await c.page.goto(`${stack.baseUrl}/#/integrations`);
      const view = c.page.locator('tpc-integrations-panel');
      await expectText(view.locator('h1'), 'Integrationen');
      await expectText(view.locator('tr[data-account="service"]'), 'eingebaut');
      await expectText(view.locator('form button[type=submit]'), 'Zugang anlegen');
    } finally {
      await c.close();
    }
  });

  it('an agent has no Integrations view, not in the navigation and not by its address', async () => {
    const c = await ConsolePage.open(browser, stack.baseUrl);
    try {
      await c.login('andrea', agentPassword);
      await expectText(c.page.locator('tpc-app nav'), 'Fleet');
      expect(await c.page.locator('tpc-app nav a[href="#/integrations"]').count()).toBe(0);
      await c.page.goto(`${stack.baseUrl}/#/integrations`);
      await expectText(c.page.locator('tpc-app main'), 'Only admins manage integrations.');
      expect(await c.page.locator('tpc-integrations-panel').count()).toBe(0);
    } finally {
      await c.close();
    }
  });
});
