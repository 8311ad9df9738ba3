import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER, type VideoSessionView } from '@touchpoint/protocol';
import { eventually, startTestBroker, type TestBroker } from './helpers.js';
import { FakeVideoDevice, call, httpBase, openSse, staffLogin, streamEnds, type StaffLogin } from './video-helpers.js';

/**
 * The video routes are entries of the main route table (issue 14, "One HTTP stack in the broker"): a video
 * request is refused exactly as any other API request is (status, error shape, security headers, the refusal
 * audited), and the phone's own handler uses the same body reader and error mapping.
 */
let tb: TestBroker;
let agent: StaffLogin;
let viewer: StaffLogin;
let device: FakeVideoDevice;

beforeAll(async () => {
  tb = await startTestBroker({ video: { ringTimeoutMs: 30_000 } });
  agent = await staffLogin(tb, 'ada', 'agent');
  viewer = await staffLogin(tb, 'vic', 'viewer');
  device = await FakeVideoDevice.connect(tb, 'cm-one-stack');
});

afterAll(async () => {
  await device?.end();
  await tb?.cleanup();
});

interface Reply {
  status: number;
  body: unknown;
  headers: Record<string, string | null>;
}

/** A raw request; the headers compared are the ones the API sets on every answer. */
async function raw(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const res = await fetch(httpBase(tb) + path, init);
  const text = await res.text();
  const pick = [
    'content-type',
    'content-security-policy',
    'x-content-type-options',
    'referrer-policy',
    'x-frame-options',
    'allow',
  ];
  return {
    status: res.status,
    body: JSON.parse(text) as unknown,
    headers: Object.fromEntries(pick.map((h) => [h, res.headers.get(h)])),
  };
}

const asStaff = (s: StaffLogin, extra: Record<string, string> = {}) => ({
  cookie: s.cookie,
  [CSRF_HEADER]: s.csrf,
  ...extra,
});
/** The same request to a video route and to a console route of the same kind: both answers must be alike. */
const MAIN_POST = '/api/devices/cm-one-stack/commands';
const VIDEO_POST = '/api/video/sessions';

function codeOf(r: Reply): string {
  return (r.body as { error: { code: string } }).error.code;
}

describe('video routes answer errors like the main stack (issue 14)', () => {
  it('a malformed JSON body: the same status, error shape and headers', async () => {
    const init = {
      method: 'POST',
      headers: asStaff(agent, { 'content-type': 'application/json' }),
      body: '{"deviceId": ',
    };
    const main = await raw(MAIN_POST, init);
    const video = await raw(VIDEO_POST, init);
    expect(main.status).toBe(400);
    expect(video).toEqual({
      ...main,
      body: { error: { code: 'BAD_JSON', message: expect.stringMatching(/^request body is not JSON/) as unknown } },
    });
    expect(codeOf(main)).toBe('BAD_JSON');
  });

  it('a body that is not JSON at all is 415, as on every API route', async () => {
    const init = {
      method: 'POST',
      headers: asStaff(agent, { 'content-type': 'text/plain' }),
      body: 'deviceId=cm-one-stack',
    };
    const main = await raw(MAIN_POST, init);
    const video = await raw(VIDEO_POST, init);
    expect(main.status).toBe(415);
    expect(video).toEqual(main);
  });

  it('no session: 401 in the same shape', async () => {
    const main = await raw('/api/devices/cm-one-stack');
    const video = await raw('/api/video/sessions/vs-none');
    expect(main.status).toBe(401);
    expect(video).toEqual(main);
    expect(codeOf(video)).toBe('NOT_AUTHORIZED');
    const stream = await openSse(`${httpBase(tb)}/api/video/sessions/vs-none/events`, {});
    expect(stream.status).toBe(401);
  });

  it('a wrong method: 405 with Allow, as the route table answers it', async () => {
    const video = await raw(VIDEO_POST, { headers: asStaff(agent) });
    expect(video.status).toBe(405);
    expect(video.headers.allow).toBe('POST');
    expect(codeOf(video)).toBe('NOT_FOUND');
  });

  it('a viewer gets 403 and the refusal is audited like any other route', async () => {
    const started = await call<{ session: VideoSessionView }>(tb, 'POST', VIDEO_POST, {
      staff: agent,
      body: { deviceId: device.deviceId },
    });
    expect(started.status).toBe(201);
    const id = started.body.session.sessionId;
    for (const [path, action] of [
      [`/api/video/sessions/${id}`, 'video.view'],
      [`/api/video/sessions/${id}/events`, 'video.watch'],
    ] as const) {
      const refused = await raw(path, { headers: asStaff(viewer) });
      expect(refused.status, path).toBe(403);
      expect(codeOf(refused)).toBe('FORBIDDEN_ROLE');
      const audit = (await tb.broker.fleet.audit.list({ limit: 100 })).find(
        (e) => e.actor === viewer.id && e.action === action,
      );
      expect(audit, `the refused ${action} in the audit log`).toMatchObject({
        actorRole: 'viewer',
        target: id,
        outcome: 'refused',
        detail: { code: 'FORBIDDEN_ROLE', path },
      });
    }
    const hangup = await call(tb, 'POST', `/api/video/sessions/${id}/hangup`, { staff: viewer, body: {} });
    expect(hangup.status).toBe(403);
    expect(
      (await tb.broker.fleet.audit.list({ limit: 100 })).some(
        (e) => e.actor === viewer.id && e.action === 'video.hangup' && e.outcome === 'refused',
      ),
    ).toBe(true);
    expect((await call(tb, 'POST', `/api/video/sessions/${id}/hangup`, { staff: agent, body: {} })).status).toBe(200);
  });

  it('a state change from another origin is refused before its CSRF token is looked at', async () => {
    const res = await raw(VIDEO_POST, {
      method: 'POST',
      headers: asStaff(agent, { 'content-type': 'application/json', origin: 'https://evil.example' }),
      body: JSON.stringify({ deviceId: device.deviceId }),
    });
    expect(res.status).toBe(403);
    expect(codeOf(res)).toBe('CSRF');
  });

  it("a call's event stream is a live-hub stream: it counts against the login's cap of live streams", async () => {
    const ada2 = await staffLogin(tb, 'ada', 'agent');
    const started = await call<{ session: VideoSessionView }>(tb, 'POST', VIDEO_POST, {
      staff: ada2,
      body: { deviceId: device.deviceId },
    });
    expect(started.status).toBe(201);
    const id = started.body.session.sessionId;
    const live = await Promise.all(
      Array.from({ length: 8 }, () => openSse(`${httpBase(tb)}/api/live`, { cookie: ada2.cookie })),
    );
    try {
      expect(live.map((l) => l.status)).toEqual(Array.from({ length: 8 }, () => 200));
      const refused = await openSse(`${httpBase(tb)}/api/video/sessions/${id}/events`, { cookie: ada2.cookie });
      expect(refused.status, 'a ninth stream of the login').toBe(429);
      await streamEnds(refused, 'the refusal to be read');
      expect(JSON.parse(refused.raw())).toMatchObject({ error: { code: 'RATE_LIMITED' } });
      live.pop()!.close();
      const stream = await eventually(
        async () => {
          const s = await openSse(`${httpBase(tb)}/api/video/sessions/${id}/events`, { cookie: ada2.cookie });
          if (s.status === 200) return s;
          s.close();
          return undefined;
        },
        5_000,
        'the video stream to open once a live stream closed',
      );
      await eventually(
        () => stream.events.some((e) => e.data.type === 'state'),
        5_000,
        "the call's state on its stream",
      );
      stream.close();
    } finally {
      for (const l of live) l.close();
      await call(tb, 'POST', `/api/video/sessions/${id}/hangup`, { staff: ada2, body: {} });
    }
  });

  it("the phone's calls use the same body reader and error mapping", async () => {
    const claim = (headers: Record<string, string>, body: string) =>
      raw('/api/video/phone/claim', { method: 'POST', headers, body });
    const notJson = await claim({ 'content-type': 'text/plain' }, 'token');
    const main = await raw(MAIN_POST, {
      method: 'POST',
      headers: asStaff(agent, { 'content-type': 'text/plain' }),
      body: 'x',
    });
    expect(notJson).toEqual({
      ...main,
      body: { error: { code: 'SCHEMA_INVALID', message: 'request body must be application/json' } },
    });
    const malformed = await claim({ 'content-type': 'application/json' }, '{');
    expect(malformed.status).toBe(400);
    expect(codeOf(malformed)).toBe('BAD_JSON');
    const noKey = await raw('/api/video/phone/vs-none/hangup', { method: 'POST' });
    expect(noKey.status).toBe(401);
    expect(noKey.headers['content-security-policy']).toBe(main.headers['content-security-policy']);
  });
});
