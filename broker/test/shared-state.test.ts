import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhoneClaimResponse, VideoSessionView } from '@touchpoint/protocol';
import { openDatabase, type Db } from '../src/db/database.js';
import { LoginLocks } from '../src/fleet/login-locks.js';
import { dataPaths } from '../src/options.js';
import { HandoffTokens } from '../src/video/handoff-tokens.js';
import { VideoSessions } from '../src/video/session-store.js';
import { startTestBroker, type TestBroker } from './helpers.js';
import { FakeVideoDevice, call, staffLogin, tokenOf, type StaffLogin } from './video-helpers.js';

/**
 * Issue 15: "video sessions, phone hand-offs, rate limits and login limits live in the database, not in one
 * process's memory". A real broker on a data dir, restarted on the same dir; the "second process" is a
 * second SQLite connection to the same file, which is what another API process on that database has.
 */
/** A second process: claims a phone link through the broker's store on the same database file. */
const CLAIM_SCRIPT = fileURLToPath(new URL('./fixtures/claim-link.ts', import.meta.url));

let tb: TestBroker;
let agent: StaffLogin;
const devices: FakeVideoDevice[] = [];
const second: Db[] = [];

/** Another connection to the broker's database, as a second process would open it. */
function secondProcess(): Db {
  const db = openDatabase(dataPaths(tb.dataDir).database);
  second.push(db);
  return db;
}

const claim = (token: string) =>
  call<PhoneClaimResponse & { error?: { code: string; message: string } }>(tb, 'POST', '/api/video/phone/claim', {
    body: { token },
  });

async function ring(deviceId: string): Promise<{ sessionId: string; link: string }> {
  const device = await FakeVideoDevice.connect(tb, deviceId);
  devices.push(device);
  const res = await call<{ session: VideoSessionView }>(tb, 'POST', '/api/video/sessions', {
    staff: agent,
    body: { deviceId },
  });
  expect(res.status).toBe(201);
  const sessionId = res.body.session.sessionId;
  return { sessionId, link: await device.link(sessionId, 0) };
}

function login(name: string, password: string) {
  return fetch(`http://127.0.0.1:${tb.broker.httpPort}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
}

beforeAll(async () => {
  tb = await startTestBroker();
  agent = await staffLogin(tb, 'stella', 'agent');
});
afterAll(async () => {
  for (const db of second.splice(0)) db.close();
  for (const d of devices) await d.end().catch(() => undefined);
  await tb.cleanup();
});

describe('video calls and phone links outlive the process (issue 15)', () => {
  it('a phone link issued before a restart is redeemed once after it, and the call is still there', async () => {
    const { sessionId, link } = await ring('cm-state-1');
    await tb.restart();

    const view = await call<{ session: VideoSessionView }>(tb, 'GET', `/api/video/sessions/${sessionId}`, {
      staff: agent,
    });
    expect(view.status).toBe(200);
    expect(view.body.session).toMatchObject({ sessionId, deviceId: 'cm-state-1', status: 'ringing' });

    const first = await claim(tokenOf(link));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ sessionId, staffName: 'STELLA' });
    const again = await claim(tokenOf(link));
    expect(again.body.error).toMatchObject({ code: 'REPLAY', message: 'this link was already used' });

    // The phone's binding is in the database too: its consent after the restart moves the call to it.
    const consent = await call<{ session: VideoSessionView }>(tb, 'POST', `/api/video/phone/${sessionId}/consent`, {
      bearer: first.body.key,
      body: { decision: 'accepted' },
    });
    expect(consent.status).toBe(200);
    expect(consent.body.session).toMatchObject({ status: 'accepted', peer: 'phone' });
    await call(tb, 'POST', `/api/video/sessions/${sessionId}/hangup`, { staff: agent, body: {} });
  });

  it('a second process on the same database sees the call, and one claim of a link wins across both', async () => {
    const { sessionId, link } = await ring('cm-state-2');
    const db = secondProcess();
    expect(new VideoSessions(db).get(sessionId)?.view()).toMatchObject({
      sessionId,
      deviceId: 'cm-state-2',
      status: 'ringing',
      staffName: 'STELLA',
    });

    // The other process redeems the link first; the broker then refuses it as used.
    expect(new HandoffTokens(db).claim(tokenOf(link), Date.now())).toEqual({
      ok: true,
      value: { sessionId, deviceId: 'cm-state-2' },
    });
    const late = await claim(tokenOf(link));
    expect(late.body.error).toMatchObject({ code: 'REPLAY' });

    // The broker's hang-up is what the other process reads back.
    await call(tb, 'POST', `/api/video/sessions/${sessionId}/hangup`, { staff: agent, body: {} });
    expect(new VideoSessions(db).get(sessionId)?.view()).toMatchObject({ status: 'ended', endedBy: 'staff' });
  });
});

describe('phone links across processes (issue 15)', () => {
  it('two processes claiming one link at once: exactly one wins, and the broker then refuses it', async () => {
    const { sessionId, link } = await ring('cm-state-3');
    const claimIn = (): Promise<{ ok: boolean; code?: string; value?: { sessionId: string } }> =>
      new Promise((resolve, reject) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', CLAIM_SCRIPT, dataPaths(tb.dataDir).database, tokenOf(link)],
          { timeout: 30_000 },
          (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout))),
        );
      });
    const results = await Promise.all([claimIn(), claimIn()]);
    expect(results.filter((r) => r.ok).map((r) => r.value?.sessionId)).toEqual([sessionId]);
    expect(results.filter((r) => !r.ok).map((r) => r.code)).toEqual(['REPLAY']);
    expect((await claim(tokenOf(link))).body.error).toMatchObject({ code: 'REPLAY' });
    await call(tb, 'POST', `/api/video/sessions/${sessionId}/hangup`, { staff: agent, body: {} });
  });
});

describe('login limits outlive the process (issue 15)', () => {
  it('a lock still holds after a restart, and a second process sees it', async () => {
    const { password } = await tb.broker.fleet.staff.add('locky', 'viewer', 'Locky');
    const refusals: number[] = [];
    for (let i = 0; i < 5; i++) refusals.push((await login('locky', 'wrong password')).status);
    expect(refusals).toEqual([401, 401, 401, 401, 401]);
    expect((await login('locky', password)).status).toBe(429);

    await tb.restart();
    const after = await login('locky', password);
    expect(after.status).toBe(429);
    expect(Number(after.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(new LoginLocks(secondProcess()).state('locky', '127.0.0.1').waitMs).toBeGreaterThan(0);
  });
});
