import { request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffWithPassword } from '@touchpoint/protocol';
import { commands } from '../src/index.js';
import { Counters } from '../src/counters.js';
import { LoginLocks } from '../src/fleet/login-locks.js';
import { silentLogger } from '../src/logger.js';
import { DEFAULT_LOGIN_LIMITS, LoginThrottle } from '../src/http/rate-limit.js';
import { clientIp, trustedProxySet } from '../src/http/request.js';
import { buildHttpHandlers } from '../src/http/routes.js';
import { createHttpServer } from '../src/http/server.js';
import { ApiClient } from './api-client.js';
import { startTestBroker, type TestBroker } from './helpers.js';

/**
 * Issue 12, item 4 (the login limit was check-then-act: 60 parallel guesses
 * were all evaluated against a limit of 5) and the Low items on staff
 * accounts: anyone could lock any account, behind a proxy the per-IP limit
 * locked everyone, no admin unlock, failed logins showed the typed name.
 */

interface Reply {
  status: number;
  body: { error?: { code: string; message: string } };
  headers: IncomingMessage['headers'];
}

/** One POST /api/login over a fresh connection, optionally from another loopback address or with X-Forwarded-For. */
function login(
  port: number,
  name: string,
  password: string,
  opts: { forwardedFor?: string; localAddress?: string } = {},
): Promise<Reply> {
  const body = JSON.stringify({ name, password });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/api/login',
        method: 'POST',
        agent: false,
        localAddress: opts.localAddress,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(opts.forwardedFor ? { 'x-forwarded-for': opts.forwardedFor } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Reply['body'], headers: res.headers }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const count = (replies: Reply[], status: number) => replies.filter((r) => r.status === status).length;

let tb: TestBroker;
let admin: ApiClient;
let base: string;

async function addStaff(name: string): Promise<{ id: string; password: string }> {
  const created = staffWithPassword.parse(
    (await admin.post('/api/staff', { name, displayName: name, role: 'viewer' })).body,
  );
  // Sign in once to replace the one-time password, as the member would.
  const password = await new ApiClient(base).loginReady(name, created.password!);
  return { id: created.staff.id, password };
}

async function failedLogins(since: number) {
  return (await tb.broker.fleet.audit.list({ action: 'staff.login', limit: 1000 })).filter(
    (r) => r.id > since && r.outcome === 'failed',
  );
}

const lastAuditId = async () => (await tb.broker.fleet.audit.list({ limit: 1 }))[0]?.id ?? 0;

beforeAll(async () => {
  tb = await startTestBroker({ trustedProxies: ['127.0.0.1'] });
  base = `http://127.0.0.1:${tb.broker.httpPort}`;
  admin = new ApiClient(base);
  await admin.loginReady(tb.broker.initialAdmin!.name, tb.broker.initialAdmin!.password);
});

afterAll(async () => {
  await tb?.cleanup();
});

describe('parallel guesses (item 4)', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    // The broker's own HTTP stack on the same fleet, with the concurrency caps out of the way, so only the
    // reservation decides how many guesses are evaluated.
    server = createHttpServer(() => handlers, silentLogger);
    const handlers = buildHttpHandlers({
      fleet: tb.broker.fleet,
      counters: new Counters(),
      log: silentLogger,
      loginLimits: { concurrentPerAccount: 1000, concurrentPerIp: 1000 },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('evaluates exactly the limit of 60 parallel wrong passwords for one account; the other 55 get 429 before any hashing', async () => {
    const { password } = await addStaff('paula');
    const since = await lastAuditId();
    const replies = await Promise.all(Array.from({ length: 60 }, (_, i) => login(port, 'paula', `wrong-guess-${i}`)));
    expect(count(replies, 401)).toBe(5);
    expect(count(replies, 429)).toBe(55);
    // Each evaluated guess is one scrypt verification and one audited failure.
    expect((await failedLogins(since)).filter((r) => r.target === 'paula')).toHaveLength(5);
    for (const r of replies.filter((x) => x.status === 429)) expect(r.body.error?.code).toBe('RATE_LIMITED');
    // The pair is now locked, even for the right password.
    expect((await login(port, 'paula', password)).status).toBe(429);
  });
});

describe('concurrency caps (item 4)', () => {
  it('admits at most 4 password checks at once per account and per address; a finished check frees its slot', () => {
    const throttle = new LoginThrottle(new LoginLocks(tb.broker.fleet.db), DEFAULT_LOGIN_LIMITS);
    // One account from many addresses: the 5th concurrent attempt waits, whatever its address.
    const running = [1, 2, 3, 4].map((i) => throttle.admit('carla', `192.0.2.${i}`));
    expect(running.every((a) => a.ok)).toBe(true);
    expect(throttle.admit('carla', '192.0.2.5')).toMatchObject({ ok: false, reason: 'busy' });
    // One address, many names: likewise.
    const fromOne = [1, 2, 3, 4].map((i) => throttle.admit(`name-${i}`, '198.51.100.1'));
    expect(fromOne.every((a) => a.ok)).toBe(true);
    expect(throttle.admit('name-5', '198.51.100.1')).toMatchObject({ ok: false, reason: 'busy' });
    expect(throttle.inflight).toBe(8);
    const first = running[0]!;
    if (!first.ok) throw new Error('admitted above');
    first.done(false);
    first.done(false); // a second call changes nothing
    expect(throttle.inflight).toBe(7);
    expect(throttle.admit('carla', '192.0.2.5').ok).toBe(true);
    expect(throttle.admit('carla', '192.0.2.6')).toMatchObject({ ok: false, reason: 'busy' });
  });
});

describe('locks per (account, address), trusted proxies, unlock (Low)', () => {
  it('a guesser locks only their own address out; the owner still logs in from elsewhere', async () => {
    const { password } = await addStaff('olga');
    const attacker = { forwardedFor: '203.0.113.9' };
    for (let i = 0; i < 5; i++)
      expect((await login(tb.broker.httpPort, 'olga', `guess-${i}`, attacker)).status).toBe(401);
    const locked = await login(tb.broker.httpPort, 'olga', password, attacker);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(250); // the first lock: 5 minutes
    // The owner, at another address behind the same proxy:
    expect((await login(tb.broker.httpPort, 'olga', password, { forwardedFor: '198.51.100.7' })).status).toBe(200);
    // The audit shows the client address the proxy reported, not the proxy's.
    const last = (await tb.broker.fleet.audit.list({ action: 'staff.login', limit: 1 }))[0]!;
    expect(last.detail).toMatchObject({ ip: '198.51.100.7' });
  });

  it('believes X-Forwarded-For only from a configured proxy', async () => {
    const { password } = await addStaff('petra');
    // From 127.0.0.2, which is no trusted proxy: a made-up X-Forwarded-For does not escape the lock.
    for (let i = 0; i < 5; i++)
      expect(
        (
          await login(tb.broker.httpPort, 'petra', `guess-${i}`, {
            localAddress: '127.0.0.2',
            forwardedFor: `192.0.2.${i + 1}`,
          })
        ).status,
      ).toBe(401);
    expect(
      (await login(tb.broker.httpPort, 'petra', password, { localAddress: '127.0.0.2', forwardedFor: '192.0.2.200' }))
        .status,
    ).toBe(429);
    const refused = (await tb.broker.fleet.audit.list({ action: 'staff.login', limit: 1 }))[0]!;
    expect(refused.detail).toMatchObject({ ip: '127.0.0.2', code: 'RATE_LIMITED' });

    const proxy = trustedProxySet(['10.0.0.5', '::ffff:10.0.0.6']);
    const req = (peer: string, xff?: string) =>
      ({
        socket: { remoteAddress: peer },
        headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
      }) as unknown as IncomingMessage;
    expect(clientIp(req('10.0.0.9', '1.2.3.4'))).toBe('10.0.0.9');
    expect(clientIp(req('10.0.0.9', '1.2.3.4'), proxy)).toBe('10.0.0.9');
    expect(clientIp(req('::ffff:10.0.0.5', 'spoofed, 1.2.3.4'), proxy)).toBe('1.2.3.4');
    expect(clientIp(req('10.0.0.5', '1.2.3.4, 10.0.0.6'), proxy)).toBe('1.2.3.4');
    expect(clientIp(req('10.0.0.5'), proxy)).toBe('10.0.0.5');
    expect(clientIp(req('10.0.0.5', 'not-an-address'), proxy)).toBe('10.0.0.5');
  });

  it('backs off exponentially per pair, up to the cap, and starts again after a quiet day', () => {
    const locks = new LoginLocks(tb.broker.fleet.db, {
      failures: 3,
      windowMs: 60_000,
      lockMs: 1_000,
      maxLockMs: 4_000,
    });
    let now = 1_000_000;
    const lockAfterThree = () => {
      let lock = 0;
      for (let i = 0; i < 3; i++) lock = locks.fail('zed', '192.0.2.50', now);
      now += lock;
      return lock;
    };
    expect([lockAfterThree(), lockAfterThree(), lockAfterThree(), lockAfterThree()]).toEqual([
      1_000, 2_000, 4_000, 4_000,
    ]);
    expect(locks.state('zed', '192.0.2.50', now - 1).waitMs).toBe(1);
    expect(locks.state('zed', '192.0.2.99', now - 1).waitMs).toBe(0);
    now += 4_001;
    expect(lockAfterThree()).toBe(1_000);
    locks.succeed('zed', '192.0.2.50');
    expect(locks.state('zed', '192.0.2.50', now)).toEqual({ waitMs: 0, failures: 0 });
  });

  it('an admin unlocks an account (API, audited; and `touchpoint staff unlock NAME`)', async () => {
    const { id, password } = await addStaff('ulla');
    const lockOut = async (address: string) => {
      for (let i = 0; i < 5; i++) await login(tb.broker.httpPort, 'ulla', `guess-${i}`, { forwardedFor: address });
      expect((await login(tb.broker.httpPort, 'ulla', password, { forwardedFor: address })).status).toBe(429);
    };
    await lockOut('203.0.113.20');
    await lockOut('203.0.113.21');

    const viewer = new ApiClient(base);
    await viewer.login('ulla', password);
    expect((await viewer.post(`/api/staff/${id}/unlock`, {})).status).toBe(403);
    const unlocked = await admin.post<{ locksLifted: number }>(`/api/staff/${id}/unlock`, {});
    expect(unlocked.status).toBe(200);
    expect(unlocked.body.locksLifted).toBe(2);
    expect((await tb.broker.fleet.audit.list({ action: 'staff.unlock', limit: 1 }))[0]).toMatchObject({
      target: id,
      outcome: 'ok',
      detail: { name: 'ulla', locksLifted: 2 },
    });
    expect((await login(tb.broker.httpPort, 'ulla', password, { forwardedFor: '203.0.113.20' })).status).toBe(200);

    // The CLI works on the data directory while the broker runs (the locks are in the database).
    await lockOut('203.0.113.22');
    const unlock = commands.find((c) => c.path.join(' ') === 'staff unlock')!;
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => void lines.push(line);
    try {
      expect(await unlock.run(['ulla', '--data-dir', tb.dataDir])).toBe(0);
    } finally {
      console.log = log;
    }
    expect(lines.join('\n')).toContain('ulla: 1 lock(s) lifted');
    expect((await tb.broker.fleet.audit.list({ action: 'staff.unlock', limit: 1 }))[0]).toMatchObject({
      actor: 'cli',
      target: id,
    });
    expect((await login(tb.broker.httpPort, 'ulla', password, { forwardedFor: '203.0.113.22' })).status).toBe(200);
  });
});

describe('failed-login audit (Low)', () => {
  it('shows an attempted name in clear only when it is an account; otherwise a keyed hash', async () => {
    const typedPassword = 'Correct-Horse-Battery-9';
    const since = await lastAuditId();
    expect((await login(tb.broker.httpPort, typedPassword, 'whatever', { forwardedFor: '192.0.2.77' })).status).toBe(
      401,
    );
    expect((await login(tb.broker.httpPort, 'admin', 'wrong', { forwardedFor: '192.0.2.77' })).status).toBe(401);
    const [known, unknown] = await failedLogins(since);
    expect(unknown!.target).toBeUndefined();
    expect(unknown!.detail).toMatchObject({
      nameHash: expect.stringMatching(/^[0-9a-f]{32}$/) as string,
      code: 'BAD_CREDENTIALS',
    });
    expect(JSON.stringify(unknown).toLowerCase()).not.toContain(typedPassword.toLowerCase());
    // The same unknown name hashes the same, so repeated attempts still correlate.
    expect(unknown!.detail!.nameHash).toBe(new LoginLocks(tb.broker.fleet.db).nameHash(typedPassword));
    expect(known!.target).toBe('admin');
    // Nor do the lock rows keep the name.
    expect(JSON.stringify(tb.broker.fleet.db.prepare('SELECT * FROM login_locks').all()).toLowerCase()).not.toContain(
      typedPassword.toLowerCase(),
    );
  });
});
