import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src/db/database.js';
import { DEFAULT_LIVE_OPTIONS, LiveHub, type Feed } from '../src/http/live-hub.js';
import { silentLogger, type Logger } from '../src/logger.js';
import { HandoffTokens } from '../src/video/handoff-tokens.js';
import { iceServersFor, videoOptionsFromEnv } from '../src/video/options.js';
import { startTestBroker, type TestBroker } from './helpers.js';

// Phone links live in the database (migration 011, issue 15): each test gets a fresh SQLite file.
const dirs: string[] = [];
const dbs: Db[] = [];
function tokenStore(): HandoffTokens {
  const dir = mkdtempSync(join(tmpdir(), 'tp-links-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'fleet.db'));
  dbs.push(db);
  return new HandoffTokens(db);
}
afterAll(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('phone links', () => {
  it('work once, for their session and device, until they expire', () => {
    const tokens = tokenStore();
    const { token, expiresAt } = tokens.issue('vs-1', 'dev-1', 1_000, 10_000);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresAt).toBe(11_000);
    expect(tokens.claim(token, 10_500)).toEqual({ ok: true, value: { sessionId: 'vs-1', deviceId: 'dev-1' } });
    expect(tokens.claim(token, 10_600)).toMatchObject({ ok: false, code: 'REPLAY' });
  });
  it('refuse expired, unknown and revoked tokens', () => {
    const tokens = tokenStore();
    const a = tokens.issue('vs-1', 'dev-1', 1_000, 0);
    expect(tokens.claim(a.token, 1_000)).toMatchObject({ ok: false, code: 'EXPIRED' });
    expect(tokens.claim('x'.repeat(43), 0)).toMatchObject({ ok: false, code: 'EXPIRED' });
    const b = tokens.issue('vs-2', 'dev-1', 1_000, 0);
    tokens.revoke('vs-2', 0);
    expect(tokens.claim(b.token, 10)).toMatchObject({ ok: false, code: 'EXPIRED' });
  });
});

describe('one live link per call (issue 12, item 8)', () => {
  it('a new link replaces the previous one, which is then refused as replaced', () => {
    const tokens = tokenStore();
    const a = tokens.issue('vs-1', 'dev-1', 60_000, 0);
    const other = tokens.issue('vs-2', 'dev-1', 60_000, 0);
    const b = tokens.issue('vs-1', 'dev-1', 60_000, 10);
    expect(tokens.live('vs-1', 20)).toBe(1);
    expect(tokens.claim(a.token, 20)).toEqual({
      ok: false,
      code: 'EXPIRED',
      reason: 'this link was replaced by a newer one',
    });
    expect(tokens.claim(b.token, 20)).toMatchObject({ ok: true });
    expect(tokens.live('vs-1', 20)).toBe(0);
    // Other calls keep their links.
    expect(tokens.claim(other.token, 20)).toMatchObject({ ok: true, value: { sessionId: 'vs-2' } });
  });
});

describe('ICE servers', () => {
  it('mint TURN REST credentials (coturn use-auth-secret) per session', () => {
    const servers = iceServersFor(
      'vs-1',
      {
        iceServers: [{ urls: 'stun:stun.example.com:3478' }],
        turn: { urls: ['turn:turn.example.com:3478'], secret: 's3cret', ttlS: 600 },
      },
      1_700_000_000_000,
    );
    expect(servers[0]).toEqual({ urls: 'stun:stun.example.com:3478' });
    const turn = servers[1]!;
    expect(turn.username).toBe(`${1_700_000_000 + 600}:vs-1`);
    expect(turn.credential).toBe(createHmac('sha1', 's3cret').update(turn.username!).digest('base64'));
  });
  it('are empty by default (host candidates on a LAN) and read from the environment', () => {
    expect(iceServersFor('vs-1', {}, 0)).toEqual([]);
    expect(
      videoOptionsFromEnv({
        TP_VIDEO_RING_TIMEOUT_MS: '2000',
        TP_STUN_URLS: 'stun:a:3478, stun:b:3478',
        TP_TURN_URLS: 'turn:t:3478',
        TP_TURN_SECRET: 'k',
        TP_PUBLIC_URL: 'https://support.example.com',
      }),
    ).toEqual({
      ringTimeoutMs: 2000,
      iceServers: [{ urls: ['stun:a:3478', 'stun:b:3478'] }],
      turn: { urls: ['turn:t:3478'], secret: 'k' },
      publicUrl: 'https://support.example.com',
    });
    expect(videoOptionsFromEnv({ TP_VIDEO_RING_TIMEOUT_MS: 'soon' })).toEqual({});
  });
});

describe('video event streams re-check their right to exist (issue 12, item 5)', () => {
  // The call's streams run on the live hub (issue 14, "One HTTP stack"): a fed stream with a 20 ms heartbeat.
  let tb: TestBroker;
  beforeAll(async () => {
    tb = await startTestBroker();
  });
  afterAll(async () => {
    await tb.cleanup();
  });
  async function serve(
    feed: Pick<Feed, 'stillAllowed' | 'onRevoked'>,
    log: Logger = silentLogger,
  ): Promise<{ url: string; close(): Promise<void> }> {
    const hub = new LiveHub(tb.broker.fleet, log, { ...DEFAULT_LIVE_OPTIONS, heartbeatMs: 20 });
    const server = createServer((req, res) =>
      hub.attachFeed(req, res, { owner: null, ...feed, subscribe: () => () => undefined }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }
  it('a quiet stream ends at the next heartbeat once the check says no, and tells the caller once', async () => {
    let allowed = true;
    let revoked = 0;
    const s = await serve({ stillAllowed: () => allowed, onRevoked: () => revoked++ });
    const res = await fetch(s.url);
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('retry:');
    allowed = false;
    for (;;) if ((await reader.read()).done) break;
    expect(revoked).toBe(1);
    await s.close();
  });
  it('a check that throws fails closed and is logged, never thrown from the timer', async () => {
    const errors: string[] = [];
    const log = { ...silentLogger, error: (msg: string) => void errors.push(msg) };
    const s = await serve(
      {
        stillAllowed: () => {
          throw new Error('database closed');
        },
      },
      log,
    );
    const reader = (await fetch(s.url)).body!.getReader();
    for (;;) if ((await reader.read()).done) break;
    expect(errors).toEqual(['live stream: the access check failed']);
    await s.close();
  });
});
