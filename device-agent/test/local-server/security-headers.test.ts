import { request, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CSP, FLOW_IMAGE_CSP, UI_DOCUMENT_CSP } from '../../src/local-server/security-headers.js';
import { KIOSK_SECRET, startLocalServer, type ServerUnderTest } from './harness.js';

/**
 * Issue 12, item 6: the loopback UI server sent no frame-ancestors or
 * X-Frame-Options, so a page in the kiosk browser could frame the touchscreen
 * and have a customer tap through it. Every kind of response must forbid
 * framing. Item 7: flow images get a sandboxing CSP of their own.
 */

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
}

/** One raw HTTP request (any Host, any method, upgrade headers), no redirects, no client-side magic. */
function send(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: init.method ?? 'GET',
        headers: init.headers ?? {},
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function expectNoFraming(answer: Answer, what: string): void {
  const csp = String(answer.headers['content-security-policy'] ?? '');
  expect(csp, `${what}: CSP`).toContain("frame-ancestors 'none'");
  expect(answer.headers['x-frame-options'], `${what}: X-Frame-Options`).toBe('DENY');
  expect(answer.headers['x-content-type-options'], `${what}: nosniff`).toBe('nosniff');
}

const WS_UPGRADE = {
  connection: 'Upgrade',
  upgrade: 'websocket',
  'sec-websocket-version': '13',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
};

let ui: ServerUnderTest;
let bare: ServerUnderTest;

beforeAll(async () => {
  ui = await startLocalServer();
  bare = await startLocalServer({ withUi: false });
});

afterAll(async () => {
  await ui?.close();
  await bare?.close();
});

describe('loopback UI server: no response can be framed', () => {
  it('sends frame-ancestors none and X-Frame-Options DENY on the document, assets, API, images, errors and refusals', async () => {
    const host = new URL(ui.url).host;
    const cases: [what: string, answer: Promise<Answer>, status: number][] = [
      ['the UI document', send(ui.url, '/'), 200],
      ['index.html by name', send(ui.url, '/index.html'), 200],
      ['a client route (falls back to index.html)', send(ui.url, '/help/descale'), 200],
      ['HEAD of the document', send(ui.url, '/', { method: 'HEAD' }), 200],
      ['a hashed asset', send(ui.url, '/app-TEST.js'), 200],
      ['the live state API', send(ui.url, '/api/state'), 200],
      ['an SVG flow image', send(ui.url, '/api/help/image?path=images%2Fpic.svg'), 200],
      ['a PNG flow image', send(ui.url, '/api/help/image?path=images%2Fpic.png'), 200],
      ['a missing flow image', send(ui.url, '/api/help/image?path=images%2Fnone.svg'), 404],
      ['a missing file', send(ui.url, '/nothing.js'), 404],
      ['an unknown API path', send(ui.url, '/api/nothing'), 404],
      ['a POST to a static path', send(ui.url, '/', { method: 'POST' }), 405],
      ['a POST route without the kiosk secret', send(ui.url, '/api/poke', { method: 'POST' }), 401],
      ['a handler that throws', send(ui.url, '/api/boom'), 500],
      ['a rebinding Host', send(ui.url, '/', { headers: { host: 'evil.example:80' } }), 403],
      ['the UI not built', send(bare.url, '/'), 503],
      [
        'a WebSocket upgrade from a foreign Origin',
        send(ui.url, '/ws', { headers: { ...WS_UPGRADE, host, origin: 'http://evil.example' } }),
        403,
      ],
      ['a WebSocket upgrade without the kiosk secret', send(ui.url, '/ws', { headers: { ...WS_UPGRADE, host } }), 401],
      ['a WebSocket upgrade on another path', send(ui.url, '/other', { headers: { ...WS_UPGRADE, host } }), 403],
    ];
    for (const [what, pending, status] of cases) {
      const answer = await pending;
      expect(answer.status, what).toBe(status);
      expectNoFraming(answer, what);
    }
  });

  it('gives the document a CSP that only connects to its own origin', async () => {
    const answer = await send(ui.url, '/');
    expect(answer.headers['content-security-policy']).toBe(UI_DOCUMENT_CSP);
    const directives = new Map(
      UI_DOCUMENT_CSP.split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );
    // The UI talks only to its own WebSocket on this origin (CSP3: 'self' covers ws: to the same host and port).
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    // Anything that is not the document may not load anything at all.
    expect((await send(ui.url, '/api/state')).headers['content-security-policy']).toBe(DEFAULT_CSP);
    expect((await send(ui.url, '/app-TEST.js')).headers['content-security-policy']).toBe(DEFAULT_CSP);
  });

  it('serves every flow image sandboxed: no script, no loads, no sniffing (issue 12, item 7)', async () => {
    for (const path of ['images%2Fpic.svg', 'images%2Fpic.png']) {
      const answer = await send(ui.url, `/api/help/image?path=${path}`);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-security-policy']).toBe(FLOW_IMAGE_CSP);
      expect(FLOW_IMAGE_CSP).toContain("default-src 'none'; style-src 'unsafe-inline'; sandbox");
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
    }
    expect((await send(ui.url, '/api/help/image?path=images%2Fpic.svg')).headers['content-type']).toBe('image/svg+xml');
  });

  it('lets a POST route through only with the kiosk secret', async () => {
    expect(
      (await send(ui.url, '/api/poke', { method: 'POST', headers: { 'x-touchpoint-kiosk-key': 'W'.repeat(43) } }))
        .status,
    ).toBe(401);
    const ok = await send(ui.url, '/api/poke', { method: 'POST', headers: { 'x-touchpoint-kiosk-key': KIOSK_SECRET } });
    expect(ok.status).toBe(200);
    expectNoFraming(ok, 'a POST route with the secret');
    const foreign = await send(ui.url, '/api/poke', {
      method: 'POST',
      headers: { 'x-touchpoint-kiosk-key': KIOSK_SECRET, origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(401);
  });
});
