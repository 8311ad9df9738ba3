import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator } from 'playwright-core';
import {
  auditExportJson,
  caseExportJson,
  header,
  type CaseOpenMessage,
  type DiagnosticsMessage,
} from '@touchpoint/protocol';
import { docScreenshot } from '../helpers/doc-screenshot.js';
import { eventually } from '../helpers/virtual-device.js';
import {
  ConsolePage,
  SimulatedDevice,
  StaffApi,
  deepText,
  launchChromium,
  startConsoleStack,
  type ConsoleStack,
} from './helpers.js';

/**
 * Issue 16, "Staff have the whole picture": the Cases view lists every case in
 * every status, search and filters narrow it on the server, selected cases and
 * the audit log export as CSV and JSON (the downloaded files are read back),
 * and a device's page shows its own cases; all of it, and the audit log,
 * in German too. Cases come from devices on real MQTT and are worked through
 * the staff API; the browser is Chromium at 1280x800.
 */
let stack: ConsoleStack;
let browser: Browser;
let c: ConsolePage;
const devices: SimulatedDevice[] = [];
const WAIT = { timeout: 10_000 };
const HOUR = 3_600_000;

/** The customer escalates on the device, with the diagnostics snapshot's error codes, `hoursAgo` hours ago. */
async function escalate(
  device: SimulatedDevice,
  caseId: string,
  reason: string,
  flowId: string,
  errors: string[],
  hoursAgo: number,
) {
  const at = Date.now() - hoursAgo * HOUR;
  const diagnostics: DiagnosticsMessage = {
    ...header(at),
    deviceId: device.deviceId,
    reason: 'case',
    mcu: { sensors: {}, errors },
    agent: { outboxDepth: 0, outboxDropped: 0, reconnects: 0, link: 'up', uptimeS: 60 },
  };
  const msg: CaseOpenMessage = {
    ...header(at),
    deviceId: device.deviceId,
    caseId,
    reason,
    flowId,
    sessionId: `hs-${caseId}`,
    locale: 'en',
    trace: [],
    diagnostics,
    consent: { diagnostics: true, helpSession: true, at },
  };
  await device.publish('caseOpen', msg);
}

const panel = () => c.page.locator('tpc-cases-panel');
const rowIds = (rows: Locator) => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-case')));
const listed = () => rowIds(panel().locator('tbody tr'));
const trimmedText = async (locator: Locator) => (await deepText(locator)).trim();

/** Clicks an export button and reads the file the browser saved. */
async function download(button: Locator): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([c.page.waitForEvent('download', WAIT), button.click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

let ritaId: string;

beforeAll(async () => {
  stack = await startConsoleStack();
  const ritaPassword = await stack.addStaff('rita', 'agent', 'Rita Agent');
  const samPassword = await stack.addStaff('sam', 'agent', 'Sam Agent');
  const rita = new StaffApi(stack.baseUrl);
  await rita.login('rita', ritaPassword);
  const sam = new StaffApi(stack.baseUrl);
  await sam.login('sam', samPassword);
  ritaId = ((await rita.get('/api/me')).body as { staff: { id: string } }).staff.id;

  const [cm1, cm2, wb1] = [
    await SimulatedDevice.provision(stack, 'cm-hist-1'),
    await SimulatedDevice.provision(stack, 'cm-hist-2'),
    await SimulatedDevice.provision(stack, 'wb-hist-1', 'wallbox'),
  ];
  devices.push(cm1!, cm2!, wb1!);
  for (const d of devices) await d.connect();
  await escalate(cm1!, 'case-h1', 'descale_failed', 'descale', ['E05'], 4);
  await escalate(cm2!, 'case-h2', 'still_weak', 'weak-coffee', ['E05', 'E12'], 3);
  await escalate(wb1!, 'case-h3', 'not_charging', 'no-charge', ['F01'], 2);
  await escalate(cm1!, 'case-h4', 'tank_leaks', 'water-tank', [], 1);
  await eventually(
    () => ['case-h1', 'case-h2', 'case-h3', 'case-h4'].every((id) => stack.broker.fleet.cases.get(id)),
    'the four escalations stored',
  );
  // Staff work them: Rita claims h1 (and notes it) and resolves h2, Sam claims h3 and closes it, h4 stays open.
  const ok = async (p: Promise<{ status: number; body: unknown }>) => {
    const res = await p;
    if (res.status >= 300) throw new Error(`staff API refused: ${res.status} ${JSON.stringify(res.body)}`);
  };
  await ok(rita.post('/api/cases/case-h1', { op: 'claim' }));
  await ok(rita.post('/api/cases/case-h1/notes', { text: 'Customer says the grinder rattles' }));
  await ok(rita.post('/api/cases/case-h2', { op: 'status', status: 'resolved' }));
  await ok(sam.post('/api/cases/case-h3', { op: 'claim' }));
  await ok(sam.post('/api/cases/case-h3', { op: 'status', status: 'closed' }));

  browser = await launchChromium();
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    acceptDownloads: true,
  });
  c = new ConsolePage(await context.newPage(), stack.baseUrl);
  await c.login('rita', ritaPassword);
});

afterAll(async () => {
  await c?.close();
  await browser?.close();
  for (const d of devices) await d.close();
  await stack?.close();
});

describe('the Cases view', () => {
  it('lists every case in every status, newest request first, and search and filters narrow it', async () => {
    await c.page.locator('tpc-app nav a[href="#/cases"]').click();
    await expect.poll(listed, WAIT).toEqual(['case-h4', 'case-h3', 'case-h2', 'case-h1']);
    const statuses = await panel()
      .locator('tbody tr tpc-badge')
      .evaluateAll((els) => els.map((e) => e.getAttribute('label')));
    expect(statuses).toEqual(['open', 'closed', 'resolved', 'claimed']);
    expect(await deepText(panel().locator('tr[data-case="case-h3"]'))).toMatch(/wallbox.*F01.*Sam Agent.*Sam Agent/);

    // Search reaches the staff notes.
    await panel().locator('input[type=search]').fill('grinder');
    await expect.poll(listed, WAIT).toEqual(['case-h1']);
    await panel().locator('input[type=search]').fill('');
    await expect.poll(listed, WAIT).toHaveLength(4);

    const select = (name: string) => panel().locator(`select[name=${name}]`);
    await select('status').selectOption('resolved');
    await expect.poll(listed, WAIT).toEqual(['case-h2']);
    await select('status').selectOption('');
    await select('model').selectOption('wallbox');
    await expect.poll(listed, WAIT).toEqual(['case-h3']);
    await select('model').selectOption('');
    await select('errorCode').selectOption('E05');
    await expect.poll(listed, WAIT).toEqual(['case-h2', 'case-h1']);
    await select('errorCode').selectOption('');
    await select('flowId').selectOption('water-tank');
    await expect.poll(listed, WAIT).toEqual(['case-h4']);
    await select('flowId').selectOption('');
    // Staff: who claimed (h1) or resolved (h2).
    await select('staffId').selectOption({ label: 'Rita Agent' });
    await expect.poll(listed, WAIT).toEqual(['case-h2', 'case-h1']);
    await panel().locator('input[name=deviceId]').fill('cm-hist-1');
    await panel().locator('input[name=deviceId]').press('Enter');
    await expect.poll(listed, WAIT).toEqual(['case-h1']);

    await panel().getByRole('button', { name: 'Reset filters' }).click();
    await expect.poll(listed, WAIT).toHaveLength(4);
    // A request-time window that starts tomorrow matches nothing, and says so.
    const tomorrow = new Date(Date.now() + 24 * HOUR);
    const day = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}`;
    await panel().locator('input[name=from]').fill(day);
    await expect.poll(listed, WAIT).toEqual([]);
    await expect.poll(() => deepText(panel().locator('.card')), WAIT).toContain('No case matches these filters.');
    await panel().getByRole('button', { name: 'Reset filters' }).click();
    await expect.poll(listed, WAIT).toHaveLength(4);
    expect(c.pageErrors).toEqual([]);
  });

  it('exports the selected cases as CSV and JSON, and every matching case, each export audited', async () => {
    const exportButton = (kind: string) => panel().locator(`button[data-export="${kind}"]`);
    expect(await exportButton('selected-csv').isDisabled()).toBe(true);
    await panel().getByRole('checkbox', { name: 'Select case case-h1' }).check();
    await panel().getByRole('checkbox', { name: 'Select case case-h3' }).check();
    await expect.poll(() => deepText(panel().locator('.bar [role=status]')), WAIT).toContain('2 selected');
    // At 1280x800 every column shows without scrolling sideways.
    expect(
      await panel()
        .locator('.card')
        .evaluate((el) => el.scrollWidth - el.clientWidth),
    ).toBe(0);
    await docScreenshot(c.page, 'console-cases.png');

    const csv = await download(exportButton('selected-csv'));
    expect(csv.name).toMatch(/^touchpoint-cases-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.csv$/);
    const lines = csv.text.split('\r\n');
    expect(lines[0]).toBe(
      'id,deviceId,model,openedAt,receivedAt,reason,flowId,status,assignee,claimedAt,resolvedAt,resolvedBy,errorCodes',
    );
    expect(lines.slice(1, -1).map((l) => l.split(',').slice(0, 3))).toEqual([
      ['case-h3', 'wb-hist-1', 'wallbox'],
      ['case-h1', 'cm-hist-1', 'coffee-machine'],
    ]);
    expect(lines.at(-1)).toBe('');
    await expect
      .poll(() => deepText(panel().locator('[role=status].muted')), WAIT)
      .toContain(`Exported 2 rows to ${csv.name}`);

    const json = caseExportJson.parse(JSON.parse((await download(exportButton('selected-json'))).text));
    expect(json.selection).toEqual({ ids: expect.arrayContaining(['case-h1', 'case-h3']) as unknown });
    expect(json.items.map((i) => [i.id, i.status, i.assignee?.displayName, i.errorCodes])).toEqual([
      ['case-h3', 'closed', 'Sam Agent', ['F01']],
      ['case-h1', 'claimed', 'Rita Agent', ['E05']],
    ]);

    // Every case the filters match, not only the page or the selection.
    await panel().locator('select[name=model]').selectOption('coffee-machine');
    await expect.poll(listed, WAIT).toEqual(['case-h4', 'case-h2', 'case-h1']);
    const matching = caseExportJson.parse(JSON.parse((await download(exportButton('matching-json'))).text));
    expect(matching.selection).toEqual({ filter: { model: 'coffee-machine' } });
    expect(matching.items.map((i) => i.id)).toEqual(['case-h4', 'case-h2', 'case-h1']);

    const audited = await stack.broker.fleet.audit.list({ action: 'case.export' });
    expect(audited.map((a) => [a.actor, a.detail])).toEqual([
      [ritaId, { format: 'json', filter: { model: 'coffee-machine' }, rows: 3, truncated: false }],
      [ritaId, { format: 'json', selected: 2, rows: 2, truncated: false }],
      [ritaId, { format: 'csv', selected: 2, rows: 2, truncated: false }],
    ]);
    expect(c.pageErrors).toEqual([]);
  });

  it("exports the audit log with the panel's filter as CSV and JSON", async () => {
    await c.page.locator('tpc-app nav a[href="#/audit"]').click();
    const audit = c.page.locator('tpc-audit-panel');
    await audit.locator('input[name=action]').fill('case.update');
    await audit.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect
      .poll(() => audit.locator('tbody tr').evaluateAll((els) => els.map((e) => e.getAttribute('data-action'))), WAIT)
      .toEqual(['case.update', 'case.update', 'case.update', 'case.update']);

    const csv = await download(audit.locator('button[data-export="audit-csv"]'));
    expect(csv.name).toMatch(/^touchpoint-audit-.*\.csv$/);
    const lines = csv.text.split('\r\n').slice(0, -1);
    expect(lines[0]).toBe('id,at,actor,actorName,actorRole,action,deviceId,target,outcome,detail');
    // claim h1, resolve h2, claim h3, close h3: newest first; the detail JSON is one quoted cell.
    expect(lines.slice(1).map((l) => l.split(',').slice(3, 8))).toEqual([
      ['Sam Agent', 'agent', 'case.update', 'wb-hist-1', 'case-h3'],
      ['Sam Agent', 'agent', 'case.update', 'wb-hist-1', 'case-h3'],
      ['Rita Agent', 'agent', 'case.update', 'cm-hist-2', 'case-h2'],
      ['Rita Agent', 'agent', 'case.update', 'cm-hist-1', 'case-h1'],
    ]);
    expect(lines[1]).toMatch(/,ok,"\{""from"":""claimed"",""to"":""closed"",/);

    const json = auditExportJson.parse(
      JSON.parse((await download(audit.locator('button[data-export="audit-json"]'))).text),
    );
    expect(json).toMatchObject({ kind: 'audit', rows: 4, truncated: false, filter: { action: 'case.update' } });
    expect((await stack.broker.fleet.audit.list({ action: 'audit.export' })).map((a) => a.detail)).toEqual([
      { format: 'json', filter: { action: 'case.update' }, rows: 4, truncated: false },
      { format: 'csv', filter: { action: 'case.update' }, rows: 4, truncated: false },
    ]);
    expect(c.pageErrors).toEqual([]);
  });

  it("shows a device's own cases on its page", async () => {
    await c.gotoDevice('cm-hist-1');
    const history = c.page.locator('tpc-device-panel tpc-device-cases');
    await expect.poll(() => rowIds(history.locator('tbody tr')), WAIT).toEqual(['case-h4', 'case-h1']);
    expect(await deepText(history.locator('tr[data-case="case-h1"]'))).toMatch(/descale_failed.*claimed.*Rita Agent/);
    await history.locator('a[href="#/queue/case-h1"]').click();
    await c.page.waitForURL(/#\/queue\/case-h1$/);
    expect(c.pageErrors).toEqual([]);
    expect(c.cspViolations).toEqual([]);
  });

  it('shows a new escalation live, and speaks German when staff switch', async () => {
    await c.page.locator('tpc-app nav a[href="#/cases"]').click();
    await expect.poll(listed, WAIT).toHaveLength(4);
    await escalate(devices[2]!, 'case-h5', 'cable_stuck', 'no-charge', ['F02'], 0);
    await expect.poll(listed, WAIT).toEqual(['case-h5', 'case-h4', 'case-h3', 'case-h2', 'case-h1']);

    await c.page.locator('tpc-app header select[data-testid=language]').selectOption('de');
    await expect.poll(() => deepText(panel().locator('h1')), WAIT).toContain('Fälle');
    expect(await deepText(c.page.locator('tpc-app nav a[href="#/cases"]'))).toContain('Fälle');
    const statuses = await panel()
      .locator('tbody tr tpc-badge')
      .evaluateAll((els) => els.map((e) => e.getAttribute('label')));
    expect(statuses).toEqual(['offen', 'offen', 'geschlossen', 'gelöst', 'übernommen']);
    expect(await deepText(panel().locator('.summary[role=status]').first())).toContain('5 Fälle');
    await c.page.locator('tpc-app header select[data-testid=language]').selectOption('en');
    expect(c.pageErrors).toEqual([]);
  });

  it("shows the Cases view's filters, columns and exports, a device's case history and the audit log in German", async () => {
    // 101 refused commands by a viewer: more than the audit log's page of 100, so "Older entries" shows.
    const base = Date.now() - 2 * HOUR;
    for (let i = 0; i < 101; i++)
      await stack.broker.fleet.audit.record(
        { actor: 'vera', actorRole: 'viewer', action: 'command.send', deviceId: 'wb-hist-1', outcome: 'refused' },
        base + i,
      );
    const GERMAN_TIME = /\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}:\d{2}/;
    await c.page.locator('tpc-app nav a[href="#/cases"]').click();
    await expect.poll(listed, WAIT).toHaveLength(5);
    await c.page.locator('tpc-app header select[data-testid=language]').selectOption('de');

    // The Cases view: filters, columns, dates, paging and the export buttons and notice.
    const filters = panel().locator('form[role=search]');
    await expect.poll(() => filters.getAttribute('aria-label'), WAIT).toBe('Fallfilter');
    const filterText = await trimmedText(filters);
    for (const label of ['Suche', 'Gerät', 'Modell', 'Fehlercode', 'Flow', 'Mitarbeitende', 'Angefragt ab'])
      expect(filterText).toContain(label);
    expect(await trimmedText(panel().locator('select[name=status] option').first())).toBe('Jeder Status');
    expect(await trimmedText(panel().locator('select[name=staffId] option').first())).toBe('Alle');
    expect(await panel().locator('thead th').allInnerTexts()).toEqual([
      '',
      'Angefragt',
      'Fall',
      'Gerät',
      'Modell',
      'Grund',
      'Flow',
      'Fehler',
      'Status',
      'Übernommen von',
      'Gelöst von',
    ]);
    expect(await trimmedText(panel().locator('tr[data-case="case-h1"] td').nth(1))).toMatch(GERMAN_TIME);
    expect(await trimmedText(panel().locator('.bar [role=status]'))).toBe('Nichts ausgewählt');
    expect(await trimmedText(panel().locator('nav.bar .summary'))).toBe('1–5 von 5');
    const matching = await download(
      panel().getByRole('button', { name: 'Alle Fälle, die zu den Filtern passen, als CSV exportieren' }),
    );
    await expect
      .poll(() => trimmedText(panel().locator('div[role=status]')), WAIT)
      .toBe(`5 Zeilen nach ${matching.name} exportiert.`);
    await panel().locator('input[name=from]').fill('2099-01-01');
    await expect
      .poll(() => trimmedText(panel().locator('.card')), WAIT)
      .toContain('Kein Fall passt zu diesen Filtern.');
    await panel().getByRole('button', { name: 'Filter zurücksetzen' }).click();
    await expect.poll(listed, WAIT).toHaveLength(5);

    // A device's case history.
    await c.gotoDevice('cm-hist-1');
    const history = c.page.locator('tpc-device-panel tpc-device-cases');
    await expect.poll(() => trimmedText(history.locator('h2')), WAIT).toBe('Fallverlauf');
    await expect.poll(() => rowIds(history.locator('tbody tr')), WAIT).toEqual(['case-h4', 'case-h1']);
    expect(await history.locator('thead th').allInnerTexts()).toContain('Übernommen von');
    expect(await history.locator('tr[data-case="case-h1"] tpc-badge').getAttribute('label')).toBe('übernommen');
    expect(await trimmedText(history.locator('tr[data-case="case-h1"] td').first())).toMatch(GERMAN_TIME);

    // The audit log: title, filter, columns, role, outcome, date, "Older entries" and the export notice.
    await c.page.locator('tpc-app nav a[href="#/audit"]').click();
    const audit = c.page.locator('tpc-audit-panel');
    await expect.poll(() => trimmedText(audit.locator('h1')), WAIT).toBe('Audit-Log');
    expect(await audit.locator('input[name=action]').getAttribute('placeholder')).toBe('z. B. command.send');
    expect(await audit.locator('thead th').allInnerTexts()).toEqual([
      'Zeitpunkt',
      'Wer',
      'Aktion',
      'Gerät',
      'Ziel',
      'Ergebnis',
      'Details',
    ]);
    await audit.locator('input[name=action]').fill('command.send');
    await audit.getByRole('button', { name: 'Filtern', exact: true }).click();
    const auditRows = audit.locator('tbody tr[data-action="command.send"]');
    await expect.poll(() => auditRows.count(), WAIT).toBe(100);
    const first = auditRows.first();
    expect(await trimmedText(first.locator('td').first())).toMatch(GERMAN_TIME);
    expect(await first.locator('td').nth(1).innerText()).toBe('vera (Betrachter)');
    expect(await first.locator('tpc-badge').getAttribute('label')).toBe('abgelehnt');
    await audit.getByRole('button', { name: 'Ältere Einträge' }).click();
    await expect.poll(() => auditRows.count(), WAIT).toBe(101);
    expect(await audit.getByRole('button', { name: 'Ältere Einträge' }).count()).toBe(0);
    const auditCsv = await download(
      audit.getByRole('button', { name: 'Das gefilterte Audit-Log als CSV exportieren' }),
    );
    await expect
      .poll(() => trimmedText(audit.locator('div[role=status]')), WAIT)
      .toBe(`101 Zeilen nach ${auditCsv.name} exportiert.`);
    await audit.locator('input[name=action]').fill('no.such.action');
    await audit.getByRole('button', { name: 'Filtern', exact: true }).click();
    await expect.poll(() => trimmedText(audit.locator('.card')), WAIT).toContain('Kein Audit-Eintrag passt.');

    await c.page.locator('tpc-app header select[data-testid=language]').selectOption('en');
    await expect.poll(() => trimmedText(audit.locator('h1')), WAIT).toBe('Audit log');
    expect(c.pageErrors).toEqual([]);
    expect(c.cspViolations).toEqual([]);
  });
});
