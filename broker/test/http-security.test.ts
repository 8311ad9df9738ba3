import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, openLive } from './api-client.js';
import { startTestBroker, type TestBroker } from './helpers.js';

let tb: TestBroker;
let base: string;
let consoleDir: string;
let adminPassword: string;

beforeAll(async () => {
  consoleDir = mkdtempSync(join(tmpdir(), 'tp-console-'));
  mkdirSync(join(consoleDir, 'assets'));
  writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(consoleDir, 'assets', 'app-abc.js'), 'console.log(1)');
  writeFileSync(join(tmpdir(), 'tp-secret.txt'), 'secret');
  tb = await startTestBroker({ consoleDir });
  base = `http://127.0.0.1:${tb.broker.httpPort}`;
  adminPassword = await new ApiClient(base).loginReady(tb.broker.initialAdmin!.name, tb.broker.initialAdmin!.password);
});

afterAll(async () => {
  await tb?.cleanup();
  rmSync(consoleDir, { recursive: true, force: true });
});

describe('console hosting', () => {
  it('serves the console with a strict CSP and security headers', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('caches hashed assets, falls back to index.html for client routes, and never leaves the directory', async () => {
    const asset = await fetch(`${base}/assets/app-abc.js`);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await (await fetch(`${base}/devices/x`)).text()).toContain('<title>console</title>');
    for (const path of ['/..%2ftp-secret.txt', '/%2e%2e/tp-secret.txt', '/assets/..%2f..%2ftp-secret.txt']) {
      expect(await (await fetch(`${base}${path}`)).text()).not.toContain('secret');
    }
  });

  it('refuses API calls without a session with 401 and JSON', async () => {
    const res = await fetch(`${base}/api/devices`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'NOT_AUTHORIZED', message: expect.any(String) as string } });
    expect((await fetch(`${base}/api/live`)).status).toBe(401);
  });
});

describe('live channel', () => {
  it('says hello, resumes from Last-Event-ID without loss, and ends on logout', async () => {
    const client = new ApiClient(base);
    await client.login(tb.broker.initialAdmin!.name, adminPassword);
    const live = await openLive(client);
    await new Promise((r) => setTimeout(r, 50));
    expect(live.events[0]?.data).toMatchObject({ type: 'hello', device: null, resumed: false });
    await tb.broker.fleet.provisionDevice('d-1', 'coffee-machine');
    tb.broker.fleet.live.emit('presence', { deviceId: 'd-1', online: true, at: 1 });
    await new Promise((r) => setTimeout(r, 50));
    const lastId = live.events.at(-1)!.id;
    live.close();
    // Missed while disconnected:
    tb.broker.fleet.live.emit('presence', { deviceId: 'd-1', online: false, at: 2 });
    const res = await fetch(`${base}/api/live`, { headers: { cookie: client.cookie!, 'last-event-id': lastId } });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('"online":false')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('"resumed":true');
    await reader.cancel();

    const again = await openLive(client);
    await new Promise((r) => setTimeout(r, 50));
    expect((await client.post('/api/logout', {})).status).toBe(200);
    expect((await openLive(client)).status).toBe(401);
    again.close();
  });

  it('refuses a stream for an unknown device', async () => {
    const client = new ApiClient(base);
    await client.login(tb.broker.initialAdmin!.name, adminPassword);
    expect((await openLive(client, '?device=nope')).status).toBe(404);
    expect((await openLive(client, '?device=bad%2Fid')).status).toBe(400);
  });
});
