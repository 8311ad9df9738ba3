import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { HelpTraceEntry } from '@touchpoint/protocol';
import {
  ConsolePage,
  SimulatedDevice,
  deepText,
  launchChromium,
  startConsoleStack,
  type ConsoleStack,
} from './helpers.js';
import { docScreenshot } from '../helpers/doc-screenshot.js';

let stack: ConsoleStack;
let browser: Browser;
let agentPassword: string;
let device: SimulatedDevice;
const TIMEOUT = { timeout: 5_000 };

beforeAll(async () => {
  stack = await startConsoleStack();
  agentPassword = await stack.addStaff('alice', 'agent', 'Alice Agent');
  // A fleet around the device under test, so paging and search have something to do.
  await stack.broker.fleet.devices.provisionMany(
    Array.from({ length: 250 }, (_, i) => ({
      deviceId: `cm-${String(i).padStart(4, '0')}`,
      model: i % 3 ? 'coffee-machine' : 'wallbox',
      tags: i % 7 ? [] : ['pilot'],
    })),
  );
  device = await SimulatedDevice.provision(stack, 'cm-live-1', 'coffee-machine', ['berlin']);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await device?.close();
  await stack?.close();
});

describe('console in Chromium against a real broker and an MQTT device', () => {
  it('logs in, follows the device live, mirrors the help session, queues the escalation and pushes a fix to succeeded', async () => {
    const c = await ConsolePage.open(browser, stack.baseUrl);
    await c.page.goto(stack.baseUrl);
    await c.page.locator('tpc-login-panel button[type=submit]').waitFor();
    await c.screenshot('login');
    await docScreenshot(c.page, 'console-login.png');

    // A wrong password is refused with a clear message.
    await c.page.locator('tpc-login-panel input[name=name]').fill('alice');
    await c.page.locator('tpc-login-panel input[name=password]').fill('nope');
    await c.page.locator('tpc-login-panel button[type=submit]').click();
    await expectText(c.page.locator('tpc-login-panel .error-box'), 'Wrong name or password');

    await c.login('alice', agentPassword);
    await expectText(c.liveState(), 'Live');

    // 1. The simulated device comes online and the fleet view shows it live.
    await c.gotoFleet();
    await c.searchFleet('cm-live');
    await c.fleetRow('cm-live-1').waitFor(TIMEOUT);
    await expectText(c.fleetRow('cm-live-1'), 'Offline');
    await device.connect();
    await device.diagnostics(
      { machine_state: 'idle', water_tank_level: 64, boiler_temp: 93, scale_level: 81, drip_tray_full: false },
      ['E05'],
    );
    await expectText(c.fleetRow('cm-live-1'), 'Online');
    await expectText(c.fleetRow('cm-live-1'), 'E05');
    await c.searchFleet('');
    await c.fleetRow('cm-0000').waitFor(TIMEOUT);
    await c.screenshot('fleet');
    await docScreenshot(c.page, 'console-fleet.png');

    // 2. The customer starts a flow; the mirror follows each tap.
    await c.gotoDevice('cm-live-1');
    await expectText(c.devicePresence(), 'Online');
    await expectText(c.mirrorScreen().or(c.page.locator('tpc-help-mirror p')), 'No help session');
    const t = Date.now();
    const trace: HelpTraceEntry[] = [
      {
        kind: 'start',
        at: t,
        flowId: 'descale',
        flowVersion: '1.0.0',
        trigger: 'error',
        errorCode: 'E05',
        locale: 'en',
      },
      { kind: 'step', at: t + 1, stepId: 'intro', stepType: 'info' },
    ];
    for (const e of trace) await device.help('hs-1', 'descale', e);
    await expectText(c.mirrorScreen(), 'Get ready to descale');
    const more: HelpTraceEntry[] = [
      { kind: 'step', at: t + 2000, stepId: 'check_ready', stepType: 'check' },
      { kind: 'check', at: t + 2100, stepId: 'check_ready', result: true },
      { kind: 'step', at: t + 2200, stepId: 'run_descale', stepType: 'action' },
    ];
    for (const e of more) {
      await device.help('hs-1', 'descale', e);
      trace.push(e);
    }
    await expectText(c.mirrorScreen(), 'Descaling');
    expect(await c.mirrorSteps().count()).toBe(3);
    await expectText(c.mirrorSteps().nth(1), 'Sensor check passed');
    for (let i = 0; i < 5; i++)
      await device.diagnostics(
        {
          machine_state: 'idle',
          water_tank_level: 64 - i * 3,
          boiler_temp: 92 + i,
          scale_level: 81,
          drip_tray_full: false,
        },
        ['E05'],
      );
    await expectText(c.page.locator('tpc-device-panel tpc-sensor-chart').first(), 'Water tank');
    await c.screenshot('device');

    // 3. The customer escalates; the case appears in the queue live, with a notification.
    await c.gotoQueue();
    const failed: HelpTraceEntry = {
      kind: 'outcome',
      at: t + 9000,
      stepId: 'escalate',
      outcome: 'escalated',
      reason: 'descale_failed',
      msTotal: 9000,
    };
    await device.help('hs-1', 'descale', failed);
    await device.escalate('case-1', 'descale_failed', 'descale', 'hs-1', [...trace, failed]);
    await c.queueItem('case-1').waitFor(TIMEOUT);
    await expectText(c.toast(), 'New case from cm-live-1');
    await expectText(c.queueItem('case-1'), 'SLA');

    // 4. The agent claims it and pushes a fix; the console shows it succeed.
    await c.queueItem('case-1').click();
    await c.page.locator('tpc-queue-panel button.primary', { hasText: 'Claim' }).click();
    await expectText(c.queueItem('case-1'), 'claimed by Alice Agent');
    await expect.poll(() => device.caseStatuses.at(-1), TIMEOUT).toBe('claimed');
    await c.screenshot('queue');

    await c.page.locator('tpc-queue-panel dd a', { hasText: 'cm-live-1' }).click();
    await c.page.locator('tpc-device-panel select#action').waitFor();
    await c.pushFix('set_grind_size', { size: '42' }, false);
    await expectText(c.page.locator('tpc-param-form .field-error'), 'Too big');
    expect(device.commands).toHaveLength(0);
    await c.pushFix('descale', { intensity: 'strong' });
    await expect
      .poll(() => device.commands.map((x) => [x.action, x.params.intensity]), TIMEOUT)
      .toEqual([['descale', 'strong']]);
    await expect
      .poll(async () => c.latestCommand().locator('ol').getAttribute('data-status'), TIMEOUT)
      .toBe('succeeded');
    await expectText(c.latestCommand(), 'Succeeded');
    const fixForm = c.page.locator('tpc-device-panel section[aria-labelledby=fix-h]');
    await c.screenshotOf(fixForm, 'device-fix');
    await docScreenshot(fixForm, 'console-device-fix.png');

    // "Request diagnostics" takes the same path.
    await c.page.locator('tpc-device-panel button', { hasText: 'Request diagnostics' }).click();
    await expect.poll(() => device.commands.map((x) => x.action), TIMEOUT).toContain('diagnostics.request');

    // 5. Resolving the case reaches the device.
    await c.gotoQueue();
    await c.queueItem('case-1').click();
    await c.page.locator('tpc-queue-panel button', { hasText: 'Mark resolved' }).click();
    await expect.poll(() => device.caseStatuses.at(-1), TIMEOUT).toBe('resolved');

    // Audit, KPI and staff views render what happened.
    await c.page.goto(`${stack.baseUrl}/#/audit`);
    await c.page.locator('tpc-audit-panel tr[data-action="command.send"]').first().waitFor(TIMEOUT);
    await c.screenshot('audit');
    await docScreenshot(c.page, 'console-audit.png');
    await c.page.goto(`${stack.baseUrl}/#/kpis`);
    await expectText(c.page.locator('tpc-kpi-panel [data-kpi=escalation]'), '100%');
    await c.screenshot('kpis');

    expect(c.cspViolations).toEqual([]);
    expect(c.pageErrors).toEqual([]);
    await c.close();
  });

  it('shows a viewer everything but no fix form, and an admin the staff view', async () => {
    const viewerPassword = await stack.addStaff('victor', 'viewer', 'Victor Viewer');
    const v = await ConsolePage.open(browser, stack.baseUrl);
    await v.login('victor', viewerPassword);
    await v.gotoDevice('cm-live-1');
    await expectText(v.page.locator('tpc-device-panel'), 'can watch but not send fixes');
    expect(await v.page.locator('tpc-device-panel tpc-param-form').count()).toBe(0);
    expect(await v.page.locator('tpc-app nav a', { hasText: 'Staff' }).count()).toBe(0);
    await v.close();

    const a = await ConsolePage.open(browser, stack.baseUrl);
    await a.login(stack.admin.name, stack.admin.password);
    await a.page.goto(`${stack.baseUrl}/#/staff`);
    await expectText(a.page.locator('tpc-staff-panel table'), 'Victor Viewer');
    await a.screenshot('staff');
    // Logging out ends the live stream and returns to the login form.
    await a.page.locator('tpc-app header button', { hasText: 'Sign out' }).click();
    await a.page.locator('tpc-login-panel').waitFor(TIMEOUT);
    expect(a.cspViolations).toEqual([]);
    await a.close();
  });
});

async function expectText(locator: import('playwright-core').Locator, text: string): Promise<void> {
  await expect.poll(() => deepText(locator), TIMEOUT).toContain(text);
}
