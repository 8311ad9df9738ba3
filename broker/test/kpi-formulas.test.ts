import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Db } from '../src/db/database.js';
import { median, outcomeRates, stepDropOff, type OutcomeCounts } from '../src/fleet/kpi-formulas.js';
import { computeKpis } from '../src/fleet/kpis.js';

const none: OutcomeCounts = {
  resolvedByFix: 0,
  resolvedByCustomer: 0,
  resolvedUnrecorded: 0,
  nothingWrong: 0,
  escalated: 0,
  abandoned: 0,
  inProgress: 0,
};

describe('KPI formulas (issue 16, docs/console.md)', () => {
  it('first-touch resolution: fixes and customer fixes over the ended sessions that needed help', () => {
    // 3 fix + 2 customer = 5 resolved; ended = 3+2+4+1+2 = 12; needed help = 12 − 4 nothing wrong = 8 → 5/8.
    const c = { ...none, resolvedByFix: 3, resolvedByCustomer: 2, nothingWrong: 4, escalated: 1, abandoned: 2 };
    expect(outcomeRates(c).firstTouchResolution).toBe(0.625);
    // Nothing-wrong sessions never raise it: 4 more of them leave 5/8.
    expect(outcomeRates({ ...c, nothingWrong: 8 }).firstTouchResolution).toBe(0.625);
    // Running sessions are not counted until they end.
    expect(outcomeRates({ ...c, inProgress: 7 }).firstTouchResolution).toBe(0.625);
    // Sessions from before the kind was recorded count as resolved: (5 + 3) / (8 + 3) = 8/11.
    expect(outcomeRates({ ...c, resolvedUnrecorded: 3 }).firstTouchResolution).toBeCloseTo(8 / 11, 12);
  });

  it('escalation rate and drop-off rate: escalated and abandoned over every ended session', () => {
    const c = { ...none, resolvedByFix: 3, resolvedByCustomer: 2, nothingWrong: 4, escalated: 1, abandoned: 2 };
    expect(outcomeRates(c).escalationRate).toBe(1 / 12);
    expect(outcomeRates(c).dropOffRate).toBe(2 / 12);
    expect(outcomeRates({ ...c, escalated: 6, inProgress: 9 })).toMatchObject({
      escalationRate: 6 / 17,
      dropOffRate: 2 / 17,
    });
  });

  it('is null, not 0 %, when nothing ended or nothing needed help', () => {
    expect(outcomeRates({ ...none, inProgress: 4 })).toEqual({
      firstTouchResolution: null,
      escalationRate: null,
      dropOffRate: null,
    });
    expect(outcomeRates({ ...none, nothingWrong: 3 })).toEqual({
      firstTouchResolution: null,
      escalationRate: 0,
      dropOffRate: 0,
    });
  });

  it('step drop-off: abandoned sessions that ended on the step over those that reached it', () => {
    expect(stepDropOff(8, 2)).toEqual({ dropped: 2, rate: 0.25 });
    expect(stepDropOff(0, 0)).toEqual({ dropped: 0, rate: 0 });
    expect(stepDropOff(3, 5)).toEqual({ dropped: 3, rate: 1 });
  });

  it('median time to resolution', () => {
    expect(median([])).toBeNull();
    expect(median([9, 1, 5])).toBe(5);
    expect(median([10, 2, 8, 4])).toBe(6);
  });
});

describe('computeKpis on a real SQLite file', () => {
  let dir: string;
  let db: Db;
  afterEach(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts each outcome from the stored sessions, the CES average higher-is-easier, and cases from the request', () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-kpis-'));
    db = openDatabase(join(dir, 'fleet.sqlite'));
    migrate(db);
    db.prepare("INSERT INTO devices (id, model, token_hash, created_at) VALUES ('d1', 'coffee-machine', 'x', 0)").run();
    const session = db.prepare(
      'INSERT INTO help_sessions (id, device_id, flow_id, started_at, updated_at, current_step, outcome, resolution, ces) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const rows: [string | null, string | null, string, number | null][] = [
      ['resolved', 'fix', 'resolved', 6],
      ['resolved', 'fix', 'resolved', 7],
      ['resolved', 'customer', 'resolved', 5],
      ['resolved', 'nothing-wrong', 'already_ok', null],
      ['resolved', 'nothing-wrong', 'already_ok', null],
      ['resolved', null, 'resolved', null],
      ['escalated', null, 'escalate', 2],
      ['abandoned', null, 'intro', null],
      [null, null, 'intro', null],
    ];
    rows.forEach(([outcome, resolution, step, ces], i) =>
      session.run(`hs-${i}`, 'd1', 'descale', 1000 + i, 1000 + i, step, outcome, resolution, ces),
    );
    session.run('hs-old', 'd1', 'descale', 10, 10, 'resolved', 'resolved', 'fix', 1); // before the period
    // Every session reached intro; hs-7 (abandoned) and hs-8 (running) stopped there.
    const event = db.prepare(
      "INSERT INTO events (msg_id, device_id, ts, received_at, type, session_id, body) VALUES (?, 'd1', 0, 0, 'help', ?, ?)",
    );
    rows.forEach((_, i) =>
      event.run(`e-${i}`, `hs-${i}`, JSON.stringify({ event: { entry: { kind: 'step', stepId: 'intro' } } })),
    );
    const caseRow = db.prepare(
      "INSERT INTO cases (id, msg_id, device_id, opened_at, received_at, reason, trace, status, resolved_at) VALUES (?, ?, 'd1', ?, ?, 'r', '[]', 'resolved', ?)",
    );
    caseRow.run('c1', 'm1', 1000, 61_000, 121_000); // queued offline for a minute: 120 s from the request
    caseRow.run('c2', 'm2', 2000, 2000, 32_000); // 30 s

    const k = computeKpis(db, 1000, 100_000);
    expect(k.helpSessions).toEqual({
      total: 9,
      resolved: 6,
      resolvedByFix: 2,
      resolvedByCustomer: 1,
      nothingWrong: 2,
      escalated: 1,
      abandoned: 1,
      inProgress: 1,
    });
    // ended 8; needed help 8 − 2 = 6; resolved 2 + 1 + 1 unrecorded = 4 → 4/6.
    expect(k.firstTouchResolution).toBeCloseTo(4 / 6, 12);
    expect(k.escalationRate).toBe(1 / 8);
    expect(k.dropOffRate).toBe(1 / 8);
    // (6 + 7 + 5 + 2) / 4 = 5: "fairly easy" on average.
    expect(k.cesPerFlow).toEqual([{ flowId: 'descale', average: 5, count: 4 }]);
    // Median of 120,000 and 30,000 ms, both from the request.
    expect(k.medianTimeToResolutionMs).toBe(75_000);
    // intro: 9 reached it; only the abandoned session dropped off there (escalated and running ones do not) → 1/9.
    expect(k.dropOff).toEqual([{ flowId: 'descale', stepId: 'intro', reached: 9, dropped: 1, rate: 1 / 9 }]);
  });
});
