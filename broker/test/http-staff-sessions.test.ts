import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffWithPassword } from '@touchpoint/protocol';
import type { SessionsEnded } from '../src/fleet/staff.js';
import { ApiClient } from './api-client.js';
import { startTestBroker, type TestBroker } from './helpers.js';

/**
 * Issue 12, item 5 (ending a staff session did not end its reach) and the Low
 * items: must-change for generated passwords, self-service password change,
 * /healthz without counters, Secure cookies from an https public URL.
 */

let tb: TestBroker;
let base: string;
let admin: ApiClient;
const ended: SessionsEnded[] = [];

/** Well below the live hub's 15 s heartbeat, which was the only thing that ever closed a disabled member's stream. */
const BOUNDED_MS = 3_000;

/** An open /api/live stream; `ended` resolves when the server ends it. */
async function openStream(
  client: ApiClient,
): Promise<{ status: number; hello: Promise<void>; ended: Promise<void>; cancel(): Promise<void> }> {
  const res = await fetch(`${base}/api/live`, { headers: { cookie: client.cookie ?? '' } });
  if (!res.body) throw new Error('no body');
  const reader = res.body.getReader();
  let text = '';
  let sawHello: () => void = () => undefined;
  const hello = new Promise<void>((resolve) => (sawHello = resolve));
  const ended = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += new TextDecoder().decode(value);
      if (text.includes('"type":"hello"')) sawHello();
    }
  })();
  return { status: res.status, hello, ended, cancel: () => reader.cancel() };
}

/** Resolves when `p` settles within `ms`, else fails with `what`. */
async function within(p: Promise<unknown>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p,
    new Promise(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms)),
    ),
  ]).finally(() => clearTimeout(timer));
}

async function member(
  name: string,
  role: 'viewer' | 'agent' | 'admin' = 'agent',
): Promise<{ id: string; client: ApiClient; password: string }> {
  const created = staffWithPassword.parse((await admin.post('/api/staff', { name, displayName: name, role })).body);
  const client = new ApiClient(base);
  const password = await client.loginReady(name, created.password!);
  return { id: created.staff.id, client, password };
}

beforeAll(async () => {
  tb = await startTestBroker();
  base = `http://127.0.0.1:${tb.broker.httpPort}`;
  tb.broker.fleet.staff.onSessionsEnded((e) => ended.push(e));
  admin = new ApiClient(base);
  await admin.loginReady(tb.broker.initialAdmin!.name, tb.broker.initialAdmin!.password);
});

afterAll(async () => {
  await tb?.cleanup();
});

describe('ending a session ends its live streams at once (item 5)', () => {
  it("logout ends the streams of that session, not those of the member's other sessions", async () => {
    const { id, client, password } = await member('lotte');
    const other = new ApiClient(base);
    await other.login('lotte', password);
    const mine = await openStream(client);
    const theirs = await openStream(other);
    await within(Promise.all([mine.hello, theirs.hello]), BOUNDED_MS, 'hello on both streams');
    expect((await client.post('/api/logout', {})).status).toBe(200);
    await within(mine.ended, BOUNDED_MS, 'the logged-out stream ending');
    expect(ended.at(-1)).toMatchObject({ staffId: id, reason: 'logout', token: expect.any(String) as string });
    expect((await other.get('/api/me')).status).toBe(200);
    await theirs.cancel();
  });

  it('a failing listener of the signal does not stop the other listeners or the logout', async () => {
    const off = tb.broker.fleet.staff.onSessionsEnded(() => {
      throw new Error('listener bug');
    });
    try {
      const { id, client } = await member('lars');
      const stream = await openStream(client);
      await within(stream.hello, BOUNDED_MS, 'hello');
      expect((await client.post('/api/logout', {})).status).toBe(200);
      await within(stream.ended, BOUNDED_MS, 'the stream ending despite the failing listener');
      expect(ended.at(-1)).toMatchObject({ staffId: id, reason: 'logout' });
    } finally {
      off();
    }
  });

  it.each([
    ['disabling the member', { disabled: true }, 'disabled'],
    ['changing the role', { role: 'viewer' }, 'role'],
    ["an admin's password reset", { resetPassword: true }, 'password-reset'],
  ] as const)('%s ends every stream of the member within a bounded wait', async (_what, change, reason) => {
    const { id, client } = await member(`m-${reason}`);
    const a = await openStream(client);
    const b = await openStream(client);
    await within(Promise.all([a.hello, b.hello]), BOUNDED_MS, 'hello');
    expect((await admin.post(`/api/staff/${id}`, change)).status).toBe(200);
    await within(Promise.all([a.ended, b.ended]), BOUNDED_MS, `the streams ending after ${reason}`);
    expect(ended.at(-1)).toEqual({ staffId: id, reason });
    // And they cannot come back with the old cookie.
    expect((await fetch(`${base}/api/live`, { headers: { cookie: client.cookie! } })).status).toBe(401);
  });

  it("a password change ends the member's other sessions and streams; this browser goes on in a new session", async () => {
    const { id, client, password } = await member('pia');
    const elsewhere = new ApiClient(base);
    await elsewhere.login('pia', password);
    const stream = await openStream(elsewhere);
    await within(stream.hello, BOUNDED_MS, 'hello');
    const oldCookie = client.cookie;
    const changed = await client.post<{ csrfToken: string; mustChangePassword: boolean }>('/api/me/password', {
      currentPassword: password,
      newPassword: 'a brand new passphrase',
    });
    expect(changed.status).toBe(200);
    expect(changed.body.mustChangePassword).toBe(false);
    await within(stream.ended, BOUNDED_MS, "the other session's stream ending");
    expect(ended.at(-1)).toEqual({ staffId: id, reason: 'password-change' });
    expect((await elsewhere.get('/api/me')).status).toBe(401);
    expect(client.cookie).not.toBe(oldCookie);
    client.csrf = changed.body.csrfToken;
    expect((await client.get('/api/me')).status).toBe(200);
    expect((await tb.broker.fleet.audit.list({ action: 'staff.password.change', limit: 1 }))[0]).toMatchObject({
      actor: id,
      outcome: 'ok',
      detail: { wasRequired: false },
    });
    expect((await new ApiClient(base).login('pia', password)).status).toBe(401);
    expect((await new ApiClient(base).login('pia', 'a brand new passphrase')).status).toBe(200);
  });
});

describe('generated passwords must be changed first (Low)', () => {
  it('the first-start admin password opens only /api/me, logout and the password change', async () => {
    const fresh = await startTestBroker();
    try {
      const url = `http://127.0.0.1:${fresh.broker.httpPort}`;
      const c = new ApiClient(url);
      const { name, password } = fresh.broker.initialAdmin!;
      const login = await c.login(name, password);
      expect(login.status).toBe(200);
      expect(login.body).toMatchObject({ mustChangePassword: true });
      expect((await c.get<{ mustChangePassword: boolean }>('/api/me')).body.mustChangePassword).toBe(true);
      for (const path of ['/api/devices', '/api/staff', '/api/audit', '/api/live', '/api/health']) {
        const r = await c.get<{ error: { code: string } }>(path);
        expect([path, r.status, r.body.error?.code]).toEqual([path, 403, 'PASSWORD_CHANGE_REQUIRED']);
      }
      const create = await c.post<{ error: { code: string } }>('/api/staff', {
        name: 'eve',
        displayName: 'Eve',
        role: 'admin',
      });
      expect(create.body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
      // The video routes are on the same route table (issue 14), so they refuse it the same way.
      const video = await c.post<{ error: { code: string } }>('/api/video/sessions', { deviceId: 'cm-1' });
      expect([video.status, video.body.error.code]).toEqual([403, 'PASSWORD_CHANGE_REQUIRED']);
      expect(
        (await fresh.broker.fleet.audit.list({ action: 'staff.create', limit: 5 })).some(
          (r) => r.outcome === 'refused' && r.detail?.code === 'PASSWORD_CHANGE_REQUIRED',
        ),
      ).toBe(true);

      const wrong = await c.post<{ error: { code: string } }>('/api/me/password', {
        currentPassword: 'wrong-password',
        newPassword: 'a passphrase of mine',
      });
      expect([wrong.status, wrong.body.error.code]).toEqual([403, 'BAD_CREDENTIALS']);
      expect((await c.get('/api/me')).status).toBe(200);
      const short = await c.post<{ error: { code: string } }>('/api/me/password', {
        currentPassword: password,
        newPassword: 'short',
      });
      expect([short.status, short.body.error.code]).toEqual([400, 'SCHEMA_INVALID']);
      const same = await c.post('/api/me/password', { currentPassword: password, newPassword: password });
      expect(same.status).toBe(400);
      const withName = await c.post<{ error: { message: string } }>('/api/me/password', {
        currentPassword: password,
        newPassword: 'Admin is my name 2026',
      });
      expect(withName.body.error.message).toContain('must not contain the account name');
      const changed = await c.post<{ csrfToken: string; mustChangePassword: boolean }>('/api/me/password', {
        currentPassword: password,
        newPassword: 'a passphrase of mine',
      });
      expect(changed.status).toBe(200);
      expect(changed.body.mustChangePassword).toBe(false);
      c.csrf = changed.body.csrfToken;
      expect((await c.get('/api/devices')).status).toBe(200);
      expect((await fresh.broker.fleet.audit.list({ action: 'staff.password.change', limit: 1 }))[0]).toMatchObject({
        outcome: 'ok',
        detail: { wasRequired: true },
      });
      // The printed password is spent.
      expect((await new ApiClient(url).login(name, password)).status).toBe(401);
    } finally {
      await fresh.cleanup();
    }
  });

  it('accounts an admin creates or resets start with must-change; code that makes its own accounts does not', async () => {
    const created = staffWithPassword.parse(
      (await admin.post('/api/staff', { name: 'nora', displayName: 'Nora', role: 'viewer' })).body,
    );
    const nora = new ApiClient(base);
    expect((await nora.login('nora', created.password!)).body).toMatchObject({ mustChangePassword: true });
    expect((await nora.get('/api/devices')).status).toBe(403);
    const own = await nora.loginReady('nora', created.password!);
    expect((await nora.get('/api/devices')).status).toBe(200);
    const reset = staffWithPassword.parse(
      (await admin.post(`/api/staff/${created.staff.id}`, { resetPassword: true })).body,
    );
    expect((await new ApiClient(base).login('nora', own)).status).toBe(401);
    expect((await nora.login('nora', reset.password!)).body).toMatchObject({ mustChangePassword: true });

    const { password } = await tb.broker.fleet.staff.add('bench-agent', 'agent');
    expect((await new ApiClient(base).login('bench-agent', password)).body).toMatchObject({
      mustChangePassword: false,
    });
  });
});

describe('/healthz and counters (Low)', () => {
  it('answers only the status without a session; counters need an admin', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    expect((await fetch(`${base}/api/health`)).status).toBe(401);
    const { client } = await member('hanna', 'agent');
    expect((await client.get('/api/health')).status).toBe(403);
    const counters = await admin.get<{ ok: boolean; counters: Record<string, number> }>('/api/health');
    expect(counters.status).toBe(200);
    expect(counters.body.ok).toBe(true);
    expect(counters.body.counters['http.refused.FORBIDDEN_ROLE']).toBeGreaterThanOrEqual(1);
  });
});

describe('Secure cookies (Low)', () => {
  it.each([
    [{ publicUrl: 'https://support.example.com' }, true],
    [{ publicUrl: 'https://support.example.com', secureCookies: false }, false],
    [{ publicUrl: 'http://192.168.1.20:8080' }, false],
    [{}, false],
  ] as const)('with %j the session cookie is Secure: %s', async (options, secure) => {
    const b = await startTestBroker(options);
    try {
      const login = await fetch(`http://127.0.0.1:${b.broker.httpPort}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(b.broker.initialAdmin),
      });
      expect(login.status).toBe(200);
      expect(/; Secure(;|$)/.test(login.headers.get('set-cookie') ?? '')).toBe(secure);
    } finally {
      await b.cleanup();
    }
  });
});
