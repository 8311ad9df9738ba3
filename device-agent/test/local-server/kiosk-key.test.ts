import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkKioskProtocols,
  kioskProtocols,
  kioskSecretOf,
  loadKioskSecret,
} from '../../src/local-server/kiosk-key.js';
import { KIOSK_SECRET, startLocalServer, type ServerUnderTest } from './harness.js';

/**
 * Issue 12, Low: the touchscreen WebSocket accepted any client without an
 * Origin, so any local process could tap for the customer. Now only the
 * kiosk, which got the per-boot secret in its URL, may connect.
 */

type Outcome =
  { opened: true; protocol: string; hello: { type: string; deviceId?: string } } | { opened: false; status: number };

/** Open /ws the way a client would and report what the server did (a refused upgrade is an HTTP status). */
function open(url: string, protocols: string[] | undefined, headers: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`, protocols ?? [], { headers });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.once('message', (data: Buffer) => {
      resolve({ opened: true, protocol: ws.protocol, hello: JSON.parse(data.toString()) as { type: string } });
      ws.close();
    });
    ws.once('error', (err) => {
      if (!err.message.includes('Unexpected server response')) reject(err);
    });
  });
}

let ui: ServerUnderTest | undefined;
afterEach(async () => {
  await ui?.close();
  ui = undefined;
});

describe('touchscreen WebSocket: only the kiosk with the per-boot secret', () => {
  it('refuses a client without the secret, with a wrong one or without our subprotocol; counts and logs each, never the secret', async () => {
    ui = await startLocalServer();
    const wrong = 'W'.repeat(43);
    expect(await open(ui.url, undefined)).toEqual({ opened: false, status: 401 });
    expect(await open(ui.url, ['touchpoint.v1'])).toEqual({ opened: false, status: 401 });
    expect(await open(ui.url, kioskProtocols(wrong))).toEqual({ opened: false, status: 401 });
    expect(await open(ui.url, kioskProtocols(KIOSK_SECRET.slice(1)))).toEqual({ opened: false, status: 401 });
    expect(await open(ui.url, [`tp-kiosk.${KIOSK_SECRET}`])).toEqual({ opened: false, status: 401 });
    // The right secret from a foreign page (a browser sends its Origin) is still refused.
    expect(await open(ui.url, kioskProtocols(KIOSK_SECRET), { origin: 'http://evil.example' })).toEqual({
      opened: false,
      status: 403,
    });
    expect(ui.server.refusedClients).toBe(6);
    const refusals = ui.logs.filter((l) => l.message === 'touch UI client refused');
    expect(refusals.map((l) => l.fields.reason)).toEqual([
      'kiosk-key-missing',
      'kiosk-key-missing',
      'kiosk-key-wrong',
      'kiosk-key-wrong',
      'kiosk-key-no-subprotocol',
      'forbidden-host-or-origin',
    ]);
    expect(refusals.every((l) => l.level === 'warn' && l.fields.code === 'NOT_AUTHORIZED')).toBe(true);
    expect(JSON.stringify(ui.logs)).not.toContain(KIOSK_SECRET);

    // The kiosk: our subprotocol is selected (the secret is never echoed back) and the UI contract starts.
    const kiosk = await open(ui.url, kioskProtocols(KIOSK_SECRET), { origin: ui.url });
    expect(kiosk).toMatchObject({
      opened: true,
      protocol: 'touchpoint.v1',
      hello: { type: 'hello', deviceId: 'cm-local' },
    });
    expect(ui.server.refusedClients).toBe(6);
  });

  it('hands the kiosk its URL in a 0600 file, with the secret only in the fragment', async () => {
    ui = await startLocalServer({ kioskUrlFile: (dir) => join(dir, 'run', 'kiosk-url') });
    const file = join(ui.dir, 'run', 'kiosk-url');
    const written = (await readFile(file, 'utf8')).trim();
    expect(written).toBe(ui.server.kioskUrl);
    expect(written).toBe(`${ui.url}/#k=${KIOSK_SECRET}`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // What the request line and a Referer would carry has no secret in it.
    const parsed = new URL(written);
    expect(`${parsed.origin}${parsed.pathname}${parsed.search}`).not.toContain(KIOSK_SECRET);
    expect(kioskSecretOf(written)).toBe(KIOSK_SECRET);
    expect(await open(ui.url, kioskProtocols(kioskSecretOf(written)!))).toMatchObject({ opened: true });
    expect(JSON.stringify(ui.logs)).not.toContain(KIOSK_SECRET);
  });
});

describe('kiosk URL file that cannot be written', () => {
  it('keeps the server up and says so in the log', async () => {
    ui = await startLocalServer({ kioskUrlFile: (dir) => join(dir, 'ui', 'index.html', 'kiosk-url') }); // under a file: ENOTDIR
    const failure = ui.logs.find((l) => l.level === 'error');
    expect(failure).toMatchObject({
      message: 'could not write the kiosk URL: the kiosk browser cannot connect',
      fields: { code: 'INTERNAL' },
    });
    expect(JSON.stringify(ui.logs)).not.toContain(KIOSK_SECRET);
    expect(await open(ui.url, kioskProtocols(KIOSK_SECRET))).toMatchObject({ opened: true });
  });
});

describe('per-boot kiosk secret', () => {
  let dir: string;
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is 256 random bits, kept for the same boot (an agent restart), new after a reboot, stored 0600', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-kiosk-'));
    const first = loadKioskSecret(dir, 'boot-a');
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(first, 'base64url')).toHaveLength(32);
    expect(loadKioskSecret(dir, 'boot-a')).toBe(first);
    const afterReboot = loadKioskSecret(dir, 'boot-b');
    expect(afterReboot).not.toBe(first);
    expect((await stat(join(dir, 'kiosk-key.json'))).mode & 0o777).toBe(0o600);
    // No boot id (not Linux): a new secret on every start.
    expect(loadKioskSecret(dir, null)).not.toBe(loadKioskSecret(dir, null));
    // A tampered file is not trusted: a fresh secret replaces it.
    await writeFile(join(dir, 'kiosk-key.json'), JSON.stringify({ bootId: 'boot-c', secret: 'short' }));
    expect(loadKioskSecret(dir, 'boot-c')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('checks the offered subprotocols exactly', () => {
    expect(checkKioskProtocols(undefined, KIOSK_SECRET)).toEqual({ ok: false, reason: 'missing' });
    expect(checkKioskProtocols(`touchpoint.v1, tp-kiosk.${KIOSK_SECRET}`, KIOSK_SECRET)).toEqual({ ok: true });
    expect(checkKioskProtocols(`tp-kiosk.${KIOSK_SECRET}x, touchpoint.v1`, KIOSK_SECRET)).toEqual({
      ok: false,
      reason: 'wrong',
    });
    expect(checkKioskProtocols(`touchpoint.v1,tp-kiosk.`, KIOSK_SECRET)).toEqual({ ok: false, reason: 'wrong' });
  });
});
