import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator } from 'playwright-core';
import type { HelpTraceEntry } from '@touchpoint/protocol';
import { docScreenshot } from '../helpers/doc-screenshot.js';
import {
  ConsolePage,
  SimulatedDevice,
  deepText,
  launchChromium,
  startConsoleStack,
  type ConsoleStack,
} from './helpers.js';

/**
 * Issue 16, "The console in German as well as English": an English browser
 * gets English; the switch in the header turns the shell, fleet, KPI and staff
 * views German, with numbers, percentages and dates as German writes them
 * (Intl); the choice is kept in the browser across a reload; a German browser
 * starts in German. Real broker, a device on real MQTT, Chromium.
 */
let stack: ConsoleStack;
let browser: Browser;
let device: SimulatedDevice;
const WAIT = { timeout: 10_000 };
const FLEET_SIZE = 1200;

async function expectText(locator: Locator, text: string | RegExp): Promise<void> {
  if (typeof text === 'string') await expect.poll(() => deepText(locator), WAIT).toContain(text);
  else await expect.poll(() => deepText(locator), WAIT).toMatch(text);
}

/** One help session from start to its outcome, with a rating when given. */
async function session(
  id: string,
  at: number,
  outcome: Extract<HelpTraceEntry, { kind: 'outcome' }>,
  ces?: number,
): Promise<void> {
  const entries: HelpTraceEntry[] = [
    { kind: 'start', at, flowId: 'descale', flowVersion: '1.0.0', trigger: 'menu', locale: 'de' },
    { kind: 'step', at: at + 1, stepId: 'intro', stepType: 'info' },
    outcome,
  ];
  if (ces !== undefined) entries.push({ kind: 'rating', at: outcome.at + 1, ces, helped: true });
  for (const e of entries) await device.help(id, 'descale', e);
}

beforeAll(async () => {
  stack = await startConsoleStack();
  // Enough devices that the count needs a thousands separator (1,201 / 1.201).
  stack.broker.fleet.db.transaction(() => {
    for (let i = 0; i < FLEET_SIZE; i++)
      stack.broker.fleet.provisionDevice(`cm-${String(i).padStart(4, '0')}`, 'coffee-machine', []);
  })();
  device = SimulatedDevice.provision(stack, 'cm-de-1', 'coffee-machine');
  await device.connect();
  await device.diagnostics({ machine_state: 'idle', water_tank_level: 64, boiler_temp: 93 }, ['E05']);
  // Two sessions resolved by a fix, one escalated: FTR 2/3, escalation 1/3, CES (6 + 5) / 2 = 5.5, labelled as the nearest score, 6.
  const t = Date.now() - 60_000;
  await session('hs-1', t, { kind: 'outcome', at: t + 5000, outcome: 'resolved', resolution: 'fix', msTotal: 5000 }, 6);
  await session('hs-2', t + 10_000, {
    kind: 'outcome',
    at: t + 15_000,
    outcome: 'resolved',
    resolution: 'fix',
    msTotal: 5000,
  });
  await session('hs-3', t + 20_000, { kind: 'outcome', at: t + 25_000, outcome: 'escalated', msTotal: 5000 }, 5);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await device?.close();
  await stack?.close();
});

describe('the console in German (issue 16)', () => {
  it('starts in English for an English browser; the header switch makes it German with German numbers and dates, and a reload keeps it', async () => {
    const c = await ConsolePage.open(browser, stack.baseUrl, 'en-US');
    const nav = c.page.locator('tpc-app nav');
    const header = c.page.locator('tpc-app header');
    await c.login(stack.admin.name, stack.admin.password);

    // English is the default for an English browser.
    await expectText(nav, 'Escalation queue');
    await expectText(header, 'Sign out');
    expect(await c.page.evaluate(() => document.documentElement.lang)).toBe('en');
    await c.gotoFleet();
    await expectText(c.page.locator('tpc-fleet-panel .summary'), `${(FLEET_SIZE + 1).toLocaleString('en')} devices`);

    // The switch in the header: every view follows at once, without a reload.
    await c.page.locator('tpc-app header select[data-testid=language]').selectOption('de');
    await expectText(nav, 'Warteschlange');
    await expectText(nav, 'Geräteflotte');
    await expectText(nav, 'Kennzahlen');
    await expectText(nav, 'Mitarbeitende');
    await expectText(header, 'Abmelden');
    expect(await c.page.evaluate(() => document.documentElement.lang)).toBe('de');

    // Fleet: headings, the count with a German thousands separator, presence and age in German.
    const fleet = c.page.locator('tpc-fleet-panel');
    await expectText(fleet.locator('h1'), 'Geräteflotte');
    await expectText(fleet.locator('.summary'), '1.201 Geräte');
    await expectText(fleet.locator('.head'), 'Zuletzt gesehen');
    await expectText(c.fleetRow('cm-0000'), 'nie');
    await docScreenshot(c.page, 'console-fleet-de.png');
    await c.searchFleet('cm-de');
    await expectText(c.fleetRow('cm-de-1'), 'Online');
    await expectText(c.fleetRow('cm-de-1'), /gerade eben|vor \d+ s/);

    // KPIs: German labels, percentages with a decimal comma and a space before %, the CES average as 5,5.
    await c.page.goto(`${stack.baseUrl}/#/kpis`);
    const kpis = c.page.locator('tpc-kpi-panel');
    await expectText(kpis, 'Erstlösungsquote');
    await expectText(kpis.locator('[data-kpi=ftr]'), /66,7\s%/);
    await expectText(kpis.locator('[data-kpi=escalation]'), /33,3\s%/);
    await expectText(kpis, 'Kundenaufwand pro Flow');
    await expectText(kpis.locator('td[data-ces-tone]'), '5,5');
    expect(await kpis.locator('td[data-ces-tone]').getAttribute('title')).toBe('recht einfach');
    await docScreenshot(c.page, 'console-kpis-de.png');

    // Staff: German headings, roles and buttons.
    await c.page.goto(`${stack.baseUrl}/#/staff`);
    const staff = c.page.locator('tpc-staff-panel');
    await expectText(staff.locator('h1'), 'Mitarbeitende und Geräte');
    await expectText(staff, 'Konto anlegen');
    await expectText(staff, 'Gerät einrichten');
    await expectText(staff.locator('tbody select').first(), 'Admin');

    // A date as German writes it: the built-in integration's creation time, "03.12.2026, 13:45:07".
    await c.page.goto(`${stack.baseUrl}/#/integrations`);
    await expectText(c.page.locator('tpc-integrations-panel h1'), 'Integrationen');
    await expectText(
      c.page.locator('tpc-integrations-panel td.when').first(),
      /\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}:\d{2}/,
    );

    // The choice is kept in this browser: after a reload the console is German without asking.
    await c.page.reload();
    await expectText(nav, 'Warteschlange');
    expect(await c.page.locator('tpc-app header select[data-testid=language]').inputValue()).toBe('de');

    // And back: English again everywhere.
    await c.page.locator('tpc-app header select[data-testid=language]').selectOption('en');
    await expectText(nav, 'Escalation queue');
    await expectText(c.page.locator('tpc-integrations-panel h1'), 'Integrations');

    expect(c.pageErrors).toEqual([]);
    expect(c.cspViolations).toEqual([]);
    await c.close();
  });

  it('starts in German for a German browser, already on the sign-in screen', async () => {
    const c = await ConsolePage.open(browser, stack.baseUrl, 'de-DE');
    await c.page.goto(`${stack.baseUrl}/#/queue`);
    await expectText(c.page.locator('tpc-login-panel button[type=submit]'), 'Anmelden');
    await c.page.locator('tpc-login-panel input[name=name]').fill(stack.admin.name);
    await c.page.locator('tpc-login-panel input[name=password]').fill('wrong');
    await c.page.locator('tpc-login-panel button[type=submit]').click();
    await expectText(c.page.locator('tpc-login-panel .error-box'), 'Name oder Passwort ist falsch.');
    await c.login(stack.admin.name, stack.admin.password);
    await expectText(c.page.locator('tpc-app nav'), 'Geräteflotte');
    expect(c.pageErrors).toEqual([]);
    await c.close();
  });
});
