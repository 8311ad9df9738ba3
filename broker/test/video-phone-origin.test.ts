import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { CSRF_HEADER, type VideoSessionView } from '@touchpoint/protocol';
import { phoneOrigin } from '../src/video/phone-origin.js';
import { eventually, startTestBroker, type TestBroker } from './helpers.js';
import { FakeVideoDevice, staffLogin, type StaffLogin } from './video-helpers.js';

/**
 * The phone link's origin never comes from a header the console's request
 * chose (issue 12, Low): the configured public URL, or on a loopback broker
 * the loopback origin the console used; otherwise no link at all.
 */
const open: { tb: TestBroker; device: FakeVideoDevice }[] = [];

afterEach(async () => {
  for (const { tb, device } of open.splice(0)) {
    await device.end();
    await tb.cleanup();
  }
});

async function stack(
  options: Parameters<typeof startTestBroker>[0] = {},
): Promise<{ tb: TestBroker; device: FakeVideoDevice; agent: StaffLogin }> {
  const tb = await startTestBroker(options);
  const device = await FakeVideoDevice.connect(tb, 'cm-origin-1');
  open.push({ tb, device });
  return { tb, device, agent: await staffLogin(tb, 'vera', 'agent') };
}

/** POST /api/video/sessions with a Host header of our choosing (fetch would not send one). */
function startWithHost(
  tb: TestBroker,
  agent: StaffLogin,
  deviceId: string,
  host: string,
): Promise<{ status: number; session: VideoSessionView }> {
  const body = JSON.stringify({ deviceId });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: tb.broker.httpPort,
        method: 'POST',
        path: '/api/video/sessions',
        headers: {
          host,
          cookie: agent.cookie,
          [CSRF_HEADER]: agent.csrf,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            session: (JSON.parse(text) as { session: VideoSessionView }).session,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const hangup = (tb: TestBroker, agent: StaffLogin, sessionId: string) =>
  fetch(`http://127.0.0.1:${tb.broker.httpPort}/api/video/sessions/${sessionId}/hangup`, {
    method: 'POST',
    headers: { cookie: agent.cookie, [CSRF_HEADER]: agent.csrf, 'content-type': 'application/json' },
    body: '{}',
  });

describe('phone link origin', () => {
  it('a loopback broker without a public URL links only to the loopback origin the console used, never to a Host it was sent', async () => {
    const { tb, device, agent } = await stack();
    const counter = () => tb.broker.counters.snapshot()['video.handoff.no_origin.NOT_AUTHORIZED'] ?? 0;
    const before = counter();
    const forged = await startWithHost(tb, agent, device.deviceId, 'evil.example');
    expect(forged.status).toBe(201);
    await device.waitFor(forged.session.sessionId, 'the ring', (m) => m.kind === 'request');
    await eventually(() => counter() > before, 5_000, 'the refused origin to be counted');
    expect(device.links(forged.session.sessionId)).toEqual([]);
    await hangup(tb, agent, forged.session.sessionId);

    const local = await startWithHost(tb, agent, device.deviceId, `127.0.0.1:${tb.broker.httpPort}`);
    expect(await device.link(local.session.sessionId, 0)).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:${tb.broker.httpPort}/v/[A-Za-z0-9_-]{43}$`),
    );
    await hangup(tb, agent, local.session.sessionId);
  });

  it("the broker's public URL wins over the video option and over the request's Host", async () => {
    const { tb, device, agent } = await stack({
      publicUrl: 'https://support.example.com/',
      video: { publicUrl: 'https://other.example.net' },
    });
    const { session } = await startWithHost(tb, agent, device.deviceId, 'evil.example');
    expect(await device.link(session.sessionId, 0)).toMatch(/^https:\/\/support\.example\.com\/v\/[A-Za-z0-9_-]{43}$/);
    await hangup(tb, agent, session.sessionId);
  });

  it('a broker listening off loopback without a public URL makes no phone link at all', async () => {
    const { tb, device, agent } = await stack({ host: '0.0.0.0' });
    const counter = () => tb.broker.counters.snapshot()['video.handoff.no_origin.CONFLICT'] ?? 0;
    const before = counter();
    const { status, session } = await startWithHost(tb, agent, device.deviceId, `127.0.0.1:${tb.broker.httpPort}`);
    expect(status).toBe(201);
    await device.waitFor(session.sessionId, 'the ring', (m) => m.kind === 'request');
    await eventually(() => counter() > before, 5_000, 'the missing public URL to be counted');
    // The customer asking on the device changes nothing: still no origin to link to.
    await device.up(session.sessionId, { kind: 'handoff-request' });
    await eventually(
      () => (tb.broker.counters.snapshot()['video.handoff.not_issued.CONFLICT'] ?? 0) > 0,
      5_000,
      'the request to be refused',
    );
    expect(device.links(session.sessionId)).toEqual([]);
    await hangup(tb, agent, session.sessionId);
  });
});

describe('phoneOrigin', () => {
  const loopback = { publicOrigin: undefined, loopbackOnly: true };
  it.each([
    ['127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['localhost:3000', 'http://localhost:3000'],
    ['[::1]:8080', 'http://[::1]:8080'],
    ['127.0.0.2', 'http://127.0.0.2'],
  ])('uses the loopback Host %s', (host, origin) => {
    expect(phoneOrigin(loopback, { host, encrypted: false })).toEqual({ ok: true, value: origin });
  });
  it.each([
    'evil.example',
    'localhost.evil.example',
    '127.0.0.1@evil.example',
    '127.0.0.1:80/x',
    '127.0.0.1.nip.io',
    '10.0.0.5:8080',
    '',
    'a b',
  ])('refuses the Host %j', (host) => {
    expect(phoneOrigin(loopback, { host, encrypted: false }).ok).toBe(false);
  });
  it('uses the public URL whatever the Host, and refuses everything off loopback without one', () => {
    expect(
      phoneOrigin(
        { publicOrigin: 'https://support.example.com', loopbackOnly: false },
        { host: 'evil.example', encrypted: false },
      ),
    ).toEqual({ ok: true, value: 'https://support.example.com' });
    expect(
      phoneOrigin({ publicOrigin: undefined, loopbackOnly: false }, { host: '127.0.0.1:80', encrypted: false }),
    ).toMatchObject({ ok: false, code: 'CONFLICT' });
  });
});
