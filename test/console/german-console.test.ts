import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator } from 'playwright-core';
import { header, type CaseOpenMessage, type HelpTraceEntry } from '@touchpoint/protocol';
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
 * starts in German; a device's view and the escalation queue with a case are
 * German down to their labels, profile texts, numbers and dates. Real broker,
 * a device on real MQTT, Chromium.
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
  await stack.broker.fleet.devices.provisionMany(
    Array.from({ length: FLEET_SIZE }, (_, i) => ({
      deviceId: `cm-${String(i).padStart(4, '0')}`,
      model: 'coffee-machine',
    })),
  );
  device = await SimulatedDevice.provision(stack, 'cm-de-1', 'coffee-machine');
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

  it('shows a device and the escalation queue with a case in German', async () => {
    const c = await ConsolePage.open(browser, stack.baseUrl, 'de-DE');
    await c.login(stack.admin.name, stack.admin.password);

    // The device: a report asked for by staff, with counts that need a German thousands separator.
    await device.diagnostics({ machine_state: 'idle', water_tank_level: 64, boiler_temp: 93 }, ['E05'], {
      reason: 'request',
      agent: { outboxDepth: 1500, outboxDropped: 2, reconnects: 1234, link: 'up', uptimeS: 3600 },
    });
    await c.gotoDevice(device.deviceId);
    const panel = c.page.locator('tpc-device-panel');
    await expectText(panel.locator('.top'), '← Geräteflotte');
    await expectText(panel.locator('.facts'), 'Modell Kaffeevollautomat');
    await expectText(panel.locator('.facts'), 'Zuletzt gesehen');
    expect(await c.devicePresence().getAttribute('label')).toBe('Online');
    await expect
      .poll(() => panel.locator('.top tpc-badge:not([data-presence])').getAttribute('label'), WAIT)
      .toBe('Zustand: Warnung');
    expect(await panel.locator('tpc-connection-state').getAttribute('title')).toBe(
      'Live-Aktualisierung für dieses Gerät',
    );
    const diagnostics = panel.locator('section[aria-labelledby=diag-h]');
    await expectText(diagnostics.locator('h2'), 'Diagnose');
    await expectText(diagnostics.locator('.card-head'), 'Diagnose anfordern');
    await expectText(diagnostics.locator('.card-head .muted'), /\((angefordert)\)/);
    await expectText(diagnostics.locator('ul[aria-label="Aktive Fehlercodes"]'), 'Entkalkung nötig');
    const facts = diagnostics.locator('dl');
    await expectText(facts, 'Serielle Verbindung');
    await expectText(facts, 'steht');
    await expectText(facts, '1.500 wartend · 2 verworfen');
    await expectText(facts, 'Neuverbindungen');
    await expectText(facts, '1.234');
    await expectText(facts, 'Laufzeit des Agents');
    await expectText(facts, '1 Std.');
    await expectText(facts, 'Fernsteuerung');
    await expectText(diagnostics, 'Sensoren');
    const fix = panel.locator('section[aria-labelledby=fix-h]');
    await expectText(fix.locator('h2'), 'Korrektur senden');
    await expectText(fix.locator('label').first(), 'Aktion');
    await panel.locator('select#action').selectOption('rinse');
    await expectText(fix.locator('select#action'), 'Spülen');
    await expectText(fix.locator('.action-info'), 'Dauert etwa 3 s.');
    await expectText(fix.locator('.action-info'), "Läuft nur, wenn sensors.machine_state == 'idle' gilt.");
    await expectText(fix, 'Letzte Befehle');
    await expectText(panel.locator('#mirror-h'), 'Hilfesitzung (live)');
    await expectText(panel.locator('#video-h'), 'Videoanruf');
    await expectText(panel.locator('#hist-h'), 'Verlauf');
    // The confirmation names the action in German, with the device in bold; cancelling sends nothing.
    await c.pushFix('rinse', {}, false);
    const dialog = panel.locator('tpc-confirm-dialog dialog[open]');
    await expectText(dialog, 'Diese Korrektur senden?');
    const body = panel.locator('tpc-confirm-dialog#confirm-fix > p').first();
    await expectText(body, `Spülen auf ${device.deviceId} ausführen.`);
    expect(await body.locator('strong').allTextContents()).toEqual(['Spülen', device.deviceId]);
    await expectText(dialog.locator('button.primary'), 'An das Gerät senden');
    await dialog.getByRole('button', { name: 'Abbrechen' }).click();
    await panel.locator('h1').scrollIntoViewIfNeeded();
    await docScreenshot(c.page, 'console-device-de.png');

    // The queue: a case the device held for 20 minutes while offline, so the SLA is breached and the arrival shown.
    const askedAt = Date.now() - 20 * 60 * 1000;
    const open: CaseOpenMessage = {
      ...header(askedAt),
      deviceId: device.deviceId,
      caseId: 'case-de-1',
      reason: 'descale_failed',
      locale: 'de',
      trace: [],
      consent: { diagnostics: true, helpSession: true, at: askedAt },
    };
    await device.publish('caseOpen', open);
    await c.gotoQueue();
    const queue = c.page.locator('tpc-queue-panel');
    await expectText(queue.locator('h1'), 'Warteschlange');
    await expectText(queue.locator('[role=status]'), '1 wartend oder in Bearbeitung · SLA 15 Min.');
    expect(await queue.locator('ol').getAttribute('aria-label')).toBe('Fälle, am längsten wartende zuerst');
    const row = c.queueItem('case-de-1');
    await expectText(row, 'wartet seit 20 Min.');
    await expectText(row, `${device.deviceId} · coffee-machine`);
    await expect
      .poll(() => row.locator('tpc-badge').getAttribute('label'), WAIT)
      .toMatch(/^SLA überschritten seit 5 Min\.( \d+ s)?$/);
    await row.click();
    const detail = queue.locator('section[aria-labelledby=case-h]');
    await expect.poll(() => detail.locator('.row tpc-badge').getAttribute('label'), WAIT).toBe('offen');
    const dl = detail.locator('dl');
    await expectText(dl, 'Gerät');
    await expectText(dl, 'Angefragt');
    await expectText(dl.locator('[data-requested]'), /\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}:\d{2} \(vor 20 Min\./);
    await expectText(dl, 'Eingegangen');
    await expectText(dl.locator('[data-received]'), 'später: das Gerät war offline');
    await expectText(dl, 'Zuständig');
    await expectText(dl, 'noch niemand');
    await expectText(detail.locator('#trace-h'), 'Was die Kundschaft getan hat');
    await expectText(detail, 'Noch keine Notizen.');
    await expectText(detail.locator('button', { hasText: 'Als gelöst markieren' }), 'Als gelöst markieren');
    await expectText(detail.locator('form label'), 'Notiz hinzufügen');
    await detail.locator('form textarea').fill('Kunde ruft zurück.');
    await detail.locator('form button[type=submit]', { hasText: 'Notiz speichern' }).click();
    await expectText(detail.locator('.note .meta'), /· \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}:\d{2}/);
    await detail.locator('button.primary', { hasText: 'Übernehmen' }).click();
    await expect.poll(() => detail.locator('.row tpc-badge').getAttribute('label'), WAIT).toBe('übernommen');
    await expectText(row, 'übernommen von');
    await docScreenshot(c.page, 'console-queue-de.png');

    expect(c.pageErrors).toEqual([]);
    expect(c.cspViolations).toEqual([]);
    await c.close();
  });
});
