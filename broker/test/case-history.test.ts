import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import {
  EXPORT_ROW_LIMIT,
  auditExportJson,
  caseExportJson,
  caseHistoryOptions,
  caseHistoryResponse,
  deviceTopic,
  header,
  staffWithPassword,
  type CaseOpenMessage,
} from '@touchpoint/protocol';
import { openDatabase, migrate } from '../src/db/database.js';
import { ApiClient } from './api-client.js';
import { connect, diagnostics, eventually, startTestBroker, type TestBroker } from './helpers.js';

let tb: TestBroker;
let base: string;
let admin: ApiClient;
let alice: ApiClient;
let bob: ApiClient;
let viewer: ApiClient;
let aliceId: string;
let bobId: string;
const devices = new Map<string, MqttClient>();
/** Request times one hour apart, oldest first: case-1 at T0, case-2 at T0 + 1 h, … */
const T0 = Date.UTC(2026, 10, 2, 8, 0, 0);
const HOUR = 3_600_000;

async function addStaff(name: string, role: 'viewer' | 'agent'): Promise<[ApiClient, string]> {
  const created = await admin.post('/api/staff', { name, displayName: name.toUpperCase(), role });
  const member = staffWithPassword.parse(created.body);
  const client = new ApiClient(base);
  await client.loginReady(name, member.password!);
  return [client, member.staff.id];
}

/** The customer escalates on the device: a real caseOpen over MQTT, with the snapshot's error codes. */
async function escalate(
  deviceId: string,
  caseId: string,
  at: number,
  reason: string,
  flowId: string,
  errors: string[],
) {
  const message: CaseOpenMessage = {
    ...header(at),
    deviceId,
    caseId,
    reason,
    flowId,
    sessionId: `hs-${caseId}`,
    locale: 'en',
    trace: [],
    diagnostics: diagnostics(deviceId, { reason: 'case', mcu: { sensors: {}, errors } }),
    consent: { diagnostics: true, helpSession: true, at },
  };
  await devices.get(deviceId)!.publishAsync(deviceTopic(deviceId, 'caseOpen'), JSON.stringify(message), { qos: 1 });
}

const ids = (body: unknown) => caseHistoryResponse.parse(body).items.map((c) => c.id);
const history = async (query: string) => ids((await viewer.get(`/api/case-history${query}`)).body);

/** RFC 4180 read back: quoted fields, doubled quotes, CRLF records. Enough to check what the broker wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (quoted) {
      if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += ch;
    }
  }
  return rows;
}

beforeAll(async () => {
  tb = await startTestBroker();
  base = `http://127.0.0.1:${tb.broker.httpPort}`;
  admin = new ApiClient(base);
  const { name, password } = tb.broker.initialAdmin!;
  await admin.loginReady(name, password);
  [alice, aliceId] = await addStaff('alice', 'agent');
  [bob, bobId] = await addStaff('bob', 'agent');
  [viewer] = await addStaff('victor', 'viewer');
  for (const [id, model] of [
    ['cm-1', 'coffee-machine'],
    ['cm-2', 'coffee-machine'],
    ['wb-1', 'wallbox'],
  ] as const) {
    const { token } = await tb.broker.fleet.provisionDevice(id, model);
    devices.set(id, await connect(tb.url, { clientId: id, username: id, password: token }));
  }
  await escalate('cm-1', 'case-1', T0, 'descale_failed', 'descale', ['E05']);
  await escalate('cm-2', 'case-2', T0 + HOUR, 'still_weak', 'weak-coffee', ['E05', 'E12']);
  await escalate('wb-1', 'case-3', T0 + 2 * HOUR, 'not_charging', 'no-charge', ['F01']);
  // A reason a spreadsheet would run as a formula, with a comma and a quote for RFC 4180's quoting.
  await escalate('cm-1', 'case-4', T0 + 3 * HOUR, '=HYPERLINK("http://x.example","help, me")', 'descale', []);
  await eventually(
    () => ['case-1', 'case-2', 'case-3', 'case-4'].every((id) => tb.broker.fleet.cases.get(id)),
    5_000,
    'the four cases stored',
  );
  // Staff work them through the API: alice claims 1 and resolves 2, bob claims 3 and closes it; 4 stays open.
  expect((await alice.post('/api/cases/case-1', { op: 'claim' })).status).toBe(200);
  expect((await alice.post('/api/cases/case-2', { op: 'status', status: 'resolved' })).status).toBe(200);
  expect((await bob.post('/api/cases/case-3', { op: 'claim' })).status).toBe(200);
  expect((await bob.post('/api/cases/case-3', { op: 'status', status: 'closed' })).status).toBe(200);
  expect((await alice.post('/api/cases/case-1/notes', { text: 'Customer says the grinder rattles' })).status).toBe(201);
});

afterAll(async () => {
  for (const d of devices.values()) await d.endAsync();
  await tb?.cleanup();
});

describe('GET /api/case-history', () => {
  it('lists every case in every status, newest request first, with who claimed and resolved', async () => {
    const res = await viewer.get('/api/case-history');
    expect(res.status).toBe(200);
    const page = caseHistoryResponse.parse(res.body);
    expect(page.total).toBe(4);
    expect(page.items.map((c) => [c.id, c.status])).toEqual([
      ['case-4', 'open'],
      ['case-3', 'closed'],
      ['case-2', 'resolved'],
      ['case-1', 'claimed'],
    ]);
    expect(page.items[1]).toMatchObject({
      model: 'wallbox',
      openedAt: T0 + 2 * HOUR,
      assignee: { id: bobId, displayName: 'BOB' },
      resolvedBy: { id: bobId, displayName: 'BOB' },
      errorCodes: ['F01'],
    });
    expect(page.items[2]).toMatchObject({ assignee: null, resolvedBy: { id: aliceId } });
  });

  it('filters by device, model, error code, flow, staff, status and request time', async () => {
    expect(await history('?deviceId=cm-1')).toEqual(['case-4', 'case-1']);
    expect(await history('?model=coffee-machine')).toEqual(['case-4', 'case-2', 'case-1']);
    expect(await history('?errorCode=E05')).toEqual(['case-2', 'case-1']);
    expect(await history('?flowId=descale')).toEqual(['case-4', 'case-1']);
    // Staff: who claimed (case-1) or resolved (case-2) it.
    expect(await history(`?staffId=${aliceId}`)).toEqual(['case-2', 'case-1']);
    expect(await history(`?staffId=${bobId}`)).toEqual(['case-3']);
    expect(await history('?status=resolved')).toEqual(['case-2']);
    expect(await history(`?from=${T0 + HOUR}&to=${T0 + 2 * HOUR}`)).toEqual(['case-3', 'case-2']);
    expect(await history(`?model=coffee-machine&errorCode=E05&staffId=${aliceId}&status=claimed`)).toEqual(['case-1']);
  });

  it('searches case id, device, reason, flow and the staff notes, with LIKE wildcards taken literally', async () => {
    expect(await history('?search=WEAK')).toEqual(['case-2']);
    expect(await history('?search=grinder')).toEqual(['case-1']);
    expect(await history('?search=wb-')).toEqual(['case-3']);
    expect(await history('?search=%25')).toEqual([]);
    expect(await history('?search=_')).toEqual(['case-3', 'case-2', 'case-1']);
  });

  it('pages on the server and refuses bad query parameters with a named error', async () => {
    const page = caseHistoryResponse.parse((await viewer.get('/api/case-history?limit=2&offset=2')).body);
    expect(page).toMatchObject({ total: 4, limit: 2, offset: 2 });
    expect(page.items.map((c) => c.id)).toEqual(['case-2', 'case-1']);
    for (const bad of ['?status=pending', `?from=${T0 + HOUR}&to=${T0}`, '?limit=501', '?from=yesterday']) {
      const res = await viewer.get<{ error: { code: string } }>(`/api/case-history${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code, bad).toBe('SCHEMA_INVALID');
    }
  });

  it('offers the values the filters can take', async () => {
    const options = caseHistoryOptions.parse((await viewer.get('/api/case-history/options')).body);
    expect(options).toEqual({
      models: ['coffee-machine', 'wallbox'],
      flows: ['descale', 'no-charge', 'weak-coffee'],
      errorCodes: ['E05', 'E12', 'F01'],
      staff: expect.arrayContaining([
        { id: aliceId, displayName: 'ALICE' },
        { id: bobId, displayName: 'BOB' },
      ]) as unknown,
    });
    expect(options.staff).toHaveLength(2);
  });
});

describe('POST /api/case-history/export', () => {
  it('writes the selected cases as RFC 4180 CSV, formulas defused, as a named download, and audits it', async () => {
    const res = await viewer.post<string>('/api/case-history/export', {
      format: 'csv',
      ids: ['case-4', 'case-2', 'no-such-case'],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="touchpoint-cases-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.csv"$/,
    );
    expect(res.headers.get('x-export-rows')).toBe('2');
    const text = res.body;
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([
      'id',
      'deviceId',
      'model',
      'openedAt',
      'receivedAt',
      'reason',
      'flowId',
      'status',
      'assignee',
      'claimedAt',
      'resolvedAt',
      'resolvedBy',
      'errorCodes',
    ]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(['case-4', 'case-2']);
    expect(rows[1]![5]).toBe(`'=HYPERLINK("http://x.example","help, me")`);
    expect(text).toContain(`"'=HYPERLINK(""http://x.example"",""help, me"")"`);
    expect(rows[2]).toMatchObject({ 3: new Date(T0 + HOUR).toISOString(), 7: 'resolved', 11: 'ALICE', 12: 'E05 E12' });
    const audit = (await tb.broker.fleet.audit.list({ action: 'case.export', limit: 1 }))[0]!;
    expect(audit).toMatchObject({
      actorRole: 'viewer',
      outcome: 'ok',
      detail: { format: 'csv', selected: 3, rows: 2, truncated: false },
    });
  });

  it('writes every case of a filter as JSON with the filter stated, and audits the filter', async () => {
    const res = await viewer.post('/api/case-history/export', {
      format: 'json',
      filter: { model: 'coffee-machine', search: '', from: T0 + HOUR },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/filename="touchpoint-cases-.*\.json"$/);
    const file = caseExportJson.parse(res.body);
    expect(file).toMatchObject({
      kind: 'cases',
      rows: 2,
      truncated: false,
      selection: { filter: { model: 'coffee-machine', from: T0 + HOUR } },
    });
    expect(file.items.map((c) => c.id)).toEqual(['case-4', 'case-2']);
    expect((await tb.broker.fleet.audit.list({ action: 'case.export', limit: 1 }))[0]!.detail).toEqual({
      format: 'json',
      filter: { model: 'coffee-machine', from: T0 + HOUR },
      rows: 2,
      truncated: false,
    });
  });

  it('refuses ids and filter together, an unknown format and a missing CSRF token', async () => {
    const both = await viewer.post<{ error: { code: string } }>('/api/case-history/export', {
      format: 'csv',
      ids: ['case-1'],
      filter: {},
    });
    expect([both.status, both.body.error.code]).toEqual([400, 'SCHEMA_INVALID']);
    const xml = await viewer.post('/api/case-history/export', { format: 'xml' });
    expect(xml.status).toBe(400);
    const noCsrf = await viewer.post('/api/case-history/export', { format: 'csv' }, { csrf: false });
    expect(noCsrf.status).toBe(403);
  });
});

describe('a case export past the limit', () => {
  it(`holds the newest ${EXPORT_ROW_LIMIT} cases of the filter and says it is cut`, async () => {
    // Stored straight into the real SQLite file: 10,001 escalations over MQTT would only make the test slow.
    await tb.broker.fleet.provisionDevice('cm-bulk', 'coffee-machine');
    const insert = tb.broker.fleet.db.prepare(
      "INSERT INTO cases (id, msg_id, device_id, opened_at, received_at, reason, trace) VALUES (?, ?, 'cm-bulk', ?, ?, 'bulk', '[]')",
    );
    tb.broker.fleet.db.transaction(() => {
      for (let i = 0; i <= EXPORT_ROW_LIMIT; i++) insert.run(`bulk-${i}`, `bulk-msg-${i}`, T0 + i, T0 + i);
    })();
    const res = await viewer.post<string>('/api/case-history/export', {
      format: 'csv',
      filter: { deviceId: 'cm-bulk' },
    });
    expect([res.headers.get('x-export-rows'), res.headers.get('x-export-truncated')]).toEqual([
      String(EXPORT_ROW_LIMIT),
      'true',
    ]);
    const rows = parseCsv(res.body);
    expect(rows).toHaveLength(EXPORT_ROW_LIMIT + 1);
    // Newest request first: the oldest one (bulk-0) is the one left out.
    expect([rows[1]![0], rows.at(-1)![0]]).toEqual([`bulk-${EXPORT_ROW_LIMIT}`, 'bulk-1']);
    expect((await tb.broker.fleet.audit.list({ action: 'case.export', limit: 1 }))[0]!.detail).toEqual({
      format: 'csv',
      filter: { deviceId: 'cm-bulk' },
      rows: EXPORT_ROW_LIMIT,
      truncated: true,
    });
  });
});

describe('POST /api/audit/export', () => {
  it('exports the audit log with the panel filters as CSV and JSON, and audits each export', async () => {
    const csv = await viewer.post<string>('/api/audit/export', { format: 'csv', action: 'case.update' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="touchpoint-audit-.*\.csv"$/);
    const rows = parseCsv(csv.body);
    expect(rows[0]).toEqual([
      'id',
      'at',
      'actor',
      'actorName',
      'actorRole',
      'action',
      'deviceId',
      'target',
      'outcome',
      'detail',
    ]);
    // claim 1, resolve 2, claim 3, close 3: newest first.
    expect(rows.slice(1).map((r) => [r[7], r[3], JSON.parse(r[9]!).to])).toEqual([
      ['case-3', 'BOB', 'closed'],
      ['case-3', 'BOB', 'claimed'],
      ['case-2', 'ALICE', 'resolved'],
      ['case-1', 'ALICE', 'claimed'],
    ]);
    expect((await tb.broker.fleet.audit.list({ action: 'audit.export', limit: 1 }))[0]).toMatchObject({
      actorRole: 'viewer',
      detail: { format: 'csv', filter: { action: 'case.update' }, rows: 4, truncated: false },
    });

    const json = await viewer.post('/api/audit/export', { format: 'json', deviceId: 'wb-1', action: 'case.update' });
    const file = auditExportJson.parse(json.body);
    expect(file).toMatchObject({ kind: 'audit', rows: 2, truncated: false, filter: { deviceId: 'wb-1' } });
    expect(file.items.every((r) => r.deviceId === 'wb-1' && r.action === 'case.update')).toBe(true);
  });

  it(`stops at ${EXPORT_ROW_LIMIT} rows, the newest, and says the file is cut`, async () => {
    const audit = tb.broker.fleet.audit;
    // Written in one SQLite transaction (fast): the rows AuditLog.record writes.
    const insert = tb.broker.fleet.db.prepare(
      "INSERT INTO audit (at, actor, action, outcome) VALUES (?, 'load', 'bulk.row', 'ok')",
    );
    tb.broker.fleet.db.transaction(() => {
      for (let i = 0; i <= EXPORT_ROW_LIMIT; i++) insert.run(Date.now());
    })();
    const res = await viewer.post('/api/audit/export', { format: 'json', action: 'bulk.row' });
    expect(res.headers.get('x-export-truncated')).toBe('true');
    const file = auditExportJson.parse(res.body);
    expect([file.rows, file.items.length, file.truncated]).toEqual([EXPORT_ROW_LIMIT, EXPORT_ROW_LIMIT, true]);
    const newest = (await audit.list({ action: 'bulk.row', limit: 1 }))[0]!.id;
    expect(file.items[0]!.id).toBe(newest);
    expect(file.items.at(-1)!.id).toBe(newest - EXPORT_ROW_LIMIT + 1);
    expect((await audit.list({ action: 'audit.export', limit: 1 }))[0]!.detail).toMatchObject({
      rows: EXPORT_ROW_LIMIT,
      truncated: true,
    });
  });
});

describe('migration 012', () => {
  it('indexes the error codes of cases stored before it, and of every case stored after', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-m012-'));
    try {
      const db = openDatabase(join(dir, 'fleet.db'));
      db.prepare(
        "INSERT INTO devices (id, model, token_hash, created_at) VALUES ('cm-9', 'coffee-machine', x'00', 0)",
      ).run();
      db.exec(
        `DROP TRIGGER cases_error_codes; DROP TABLE case_error_codes; DELETE FROM schema_migrations WHERE version = 12;`,
      );
      const insert = db.prepare(
        "INSERT INTO cases (id, msg_id, device_id, opened_at, received_at, reason, status, trace, diagnostics) VALUES (?, ?, 'cm-9', 1, 1, 'r', 'open', '[]', ?)",
      );
      insert.run('before', 'm1', JSON.stringify({ mcu: { errors: ['E05', 'E12'] } }));
      insert.run('no-snapshot', 'm2', null);
      insert.run('not-json', 'm3', '{oops');
      expect(migrate(db)).toEqual([12]);
      insert.run('after', 'm4', JSON.stringify({ mcu: { errors: ['E12', 7] } }));
      expect(db.prepare('SELECT code, case_id FROM case_error_codes ORDER BY code, case_id').all()).toEqual([
        { code: 'E05', case_id: 'before' },
        { code: 'E12', case_id: 'after' },
        { code: 'E12', case_id: 'before' },
      ]);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('migration 010', () => {
  it('fills resolved_by from the audit log for cases resolved before it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-m010-'));
    try {
      const db = openDatabase(join(dir, 'fleet.db'));
      db.prepare(
        "INSERT INTO devices (id, model, token_hash, created_at) VALUES ('cm-9', 'coffee-machine', x'00', 0)",
      ).run();
      const insert = db.prepare(
        "INSERT INTO cases (id, msg_id, device_id, opened_at, received_at, reason, status, trace) VALUES (?, ?, 'cm-9', 1, 1, 'r', ?, '[]')",
      );
      insert.run('old-resolved', 'm1', 'resolved');
      insert.run('old-open', 'm2', 'open');
      const audit = db.prepare(
        "INSERT INTO audit (at, actor, action, target, outcome, detail) VALUES (?, ?, 'case.update', ?, ?, ?)",
      );
      audit.run(1, 'st-refused', 'old-resolved', 'refused', '{"to":"resolved"}');
      audit.run(2, 'st-claimer', 'old-resolved', 'ok', '{"from":"open","to":"claimed"}');
      audit.run(3, 'st-resolver', 'old-resolved', 'ok', '{"from":"claimed","to":"resolved"}');
      audit.run(4, 'st-closer', 'old-resolved', 'ok', '{"from":"resolved","to":"closed"}');
      // Back to version 9: the column and its indexes gone, the version unrecorded.
      db.exec(`DROP INDEX cases_assignee; DROP INDEX cases_resolved_by; DROP INDEX cases_flow;
        ALTER TABLE cases DROP COLUMN resolved_by; DELETE FROM schema_migrations WHERE version = 10;`);
      expect(migrate(db)).toEqual([10]);
      const by = db.prepare('SELECT id, resolved_by FROM cases ORDER BY id').all();
      expect(by).toEqual([
        { id: 'old-open', resolved_by: null },
        { id: 'old-resolved', resolved_by: 'st-resolver' },
      ]);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
