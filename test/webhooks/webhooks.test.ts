import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_HEADERS, webhookEvent, webhookListResponse, type WebhookEvent } from '@touchpoint/protocol';
import { WebhookReceiver, type Received } from '../helpers/webhook-receiver.js';
import { verifyTouchpointWebhook } from '../helpers/webhook-verify.js';
import type { SimulatedDevice } from '../console/helpers.js';
import { FAST_RETRIES, WebhookStack, until } from './harness.js';

/**
 * Issue 17, "Webhooks": signed deliveries from the durable queue of a real broker to a real HTTP receiver on
 * loopback, with retries, the dead-letter list and replay, all through the admin API.
 */

let stack: WebhookStack;
let device: SimulatedDevice;
const receivers: WebhookReceiver[] = [];

const header = (r: Received, name: string) => {
  const v = r.headers[name];
  return typeof v === 'string' ? v : undefined;
};
const eventOf = (r: Received): WebhookEvent => webhookEvent.parse(JSON.parse(r.body));

async function receiver(): Promise<WebhookReceiver> {
  const r = await WebhookReceiver.start();
  receivers.push(r);
  return r;
}

beforeAll(async () => {
  stack = await WebhookStack.start({ webhooks: FAST_RETRIES });
  device = await stack.device('cm-hook-1');
});

afterAll(async () => {
  await device?.close();
  for (const r of receivers) await r.close();
  await stack?.close();
});

describe('signed webhooks (issue 17)', () => {
  it('signs every delivery; the documented check accepts it and refuses a tampered body and a stale timestamp', async () => {
    const rx = await receiver();
    const { endpoint, secret } = await stack.createWebhook({
      kind: 'webhook',
      name: 'signed',
      url: rx.url,
      events: ['case.opened'],
    });
    expect(secret).toMatch(/^whsec_/);
    await device.escalate('case-signed', 'descale_failed', 'descale', 'hs-1', []);
    const got = await rx.waitFor((r) => eventOf(r).data.case !== undefined, 'the case.opened delivery');

    const event = eventOf(got);
    expect(event).toMatchObject({ type: 'case.opened', data: { case: { id: 'case-signed', deviceId: 'cm-hook-1' } } });
    expect(header(got, WEBHOOK_HEADERS.id)).toBe(event.id);
    expect(header(got, WEBHOOK_HEADERS.event)).toBe('case.opened');
    const ts = header(got, WEBHOOK_HEADERS.timestamp);
    const sig = header(got, WEBHOOK_HEADERS.signature);
    expect(verifyTouchpointWebhook(secret, got.body, ts, sig)).toBe('ok');
    // One byte changed in the body, or the right signature under another secret: refused.
    expect(verifyTouchpointWebhook(secret, got.body.replace('descale_failed', 'descale_failee'), ts, sig)).toBe(
      'bad-signature',
    );
    expect(verifyTouchpointWebhook(`${secret}x`, got.body, ts, sig)).toBe('bad-signature');
    // The same request replayed ten minutes later is stale, and a fresh timestamp does not match the signature.
    expect(verifyTouchpointWebhook(secret, got.body, ts, sig, Number(ts) + 600)).toBe('stale');
    expect(verifyTouchpointWebhook(secret, got.body, String(Number(ts) + 600), sig, Number(ts) + 600)).toBe(
      'bad-signature',
    );

    // The secret is shown once: the list never carries it, and the audit has the creation without it.
    const list = await stack.admin.get('/api/webhooks');
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(webhookListResponse.parse(list.body).items.find((e) => e.id === endpoint.id)).toMatchObject({
      name: 'signed',
      enabled: true,
    });
    const audit = await stack.broker.fleet.audit.list({ action: 'webhook.create', limit: 5 });
    expect(audit[0]).toMatchObject({ target: 'signed', outcome: 'ok', actorRole: 'admin' });
    expect(JSON.stringify(audit)).not.toContain(secret);
    // Viewers read the audit log: it has the receiver's host, never its URL (which may be the credential).
    expect(audit[0]!.detail).toMatchObject({ host: new URL(rx.url).host });
    expect(JSON.stringify(audit)).not.toContain(rx.url);

    // Rotation: the next delivery is signed with the new secret only.
    const rotated = await stack.admin.post(`/api/webhooks/${endpoint.id}/rotate`, {});
    const fresh = (rotated.body as { secret: string }).secret;
    expect(fresh).not.toBe(secret);
    await device.escalate('case-rotated', 'still_weak', 'descale', 'hs-2', []);
    const next = await rx.waitFor((r) => eventOf(r).data.case !== undefined, 'the delivery after rotation', 2);
    const [nts, nsig] = [header(next, WEBHOOK_HEADERS.timestamp), header(next, WEBHOOK_HEADERS.signature)];
    expect(verifyTouchpointWebhook(fresh, next.body, nts, nsig)).toBe('ok');
    expect(verifyTouchpointWebhook(secret, next.body, nts, nsig)).toBe('bad-signature');
    await stack.admin.post(`/api/webhooks/${endpoint.id}/delete`, {});
  });

  it('refuses a configuration that is not an http(s) URL, or has no or unknown events', async () => {
    for (const url of ['javascript:alert(1)', 'ftp://example.com/x', 'file:///etc/passwd', 'not a url']) {
      const res = await stack.admin.post('/api/webhooks', {
        kind: 'webhook',
        name: 'bad',
        url,
        events: ['case.opened'],
      });
      expect(res.status, url).toBe(400);
      expect(JSON.stringify(res.body)).toContain('SCHEMA_INVALID');
    }
    const none = await stack.admin.post('/api/webhooks', {
      kind: 'webhook',
      name: 'bad',
      url: 'http://127.0.0.1:9/x',
      events: [],
    });
    expect(none.status).toBe(400);
    const unknown = await stack.admin.post('/api/webhooks', {
      kind: 'webhook',
      name: 'bad',
      url: 'http://127.0.0.1:9/x',
      events: ['case.exploded'],
    });
    expect(unknown.status).toBe(400);
    expect(webhookListResponse.parse((await stack.admin.get('/api/webhooks')).body).items).toEqual([]);
  });

  it('retries after the receiver fails (500, 500, then 200) and records every attempt with the same event', async () => {
    const rx = await receiver();
    rx.script = [500, 500];
    const { endpoint } = await stack.createWebhook({
      kind: 'webhook',
      name: 'flaky',
      url: rx.url,
      events: ['error.raised'],
    });
    await device.raiseError('E42');
    const third = await rx.waitFor(() => true, 'the third attempt', 3);
    expect(rx.received.map((r) => r.answered)).toEqual([500, 500, 200]);
    const ids = new Set(rx.received.map((r) => eventOf(r).id));
    expect(ids.size).toBe(1);
    expect(eventOf(third)).toMatchObject({ type: 'error.raised', data: { deviceId: 'cm-hook-1', code: 'E42' } });

    const [delivery] = await until(
      () => stack.deliveries(`?endpoint=${endpoint.id}`),
      (d) => d[0]?.status === 'delivered',
      'the delivery to be marked delivered',
    );
    expect(delivery!.attempts.map((a) => a.statusCode)).toEqual([500, 500, 200]);
    expect(delivery!.attempts[0]!.error).toBe('HTTP 500');
    expect(delivery!.attempts[0]!.nextAttemptAt).toBeGreaterThanOrEqual(delivery!.attempts[0]!.at + 50);
    expect(delivery!.attempts[2]!.nextAttemptAt).toBeNull();
    await stack.admin.post(`/api/webhooks/${endpoint.id}/delete`, {});
  });

  it('dead-letters after the maximum attempts; a replay from the dead-letter list delivers the same event', async () => {
    const rx = await receiver();
    rx.fallback = 503;
    const { endpoint } = await stack.createWebhook({
      kind: 'webhook',
      name: 'down',
      url: rx.url,
      events: ['error.raised'],
    });
    await device.raiseError('E07');
    const [dead] = await until(
      () => stack.deliveries(`?status=dead&endpoint=${endpoint.id}`),
      (d) => d.length === 1,
      'the dead letter',
    );
    expect(dead!.attempts.map((a) => a.statusCode)).toEqual([503, 503, 503]);
    expect(rx.received).toHaveLength(FAST_RETRIES.maxAttempts!);
    const listed = webhookListResponse.parse((await stack.admin.get('/api/webhooks')).body).items;
    expect(listed.find((e) => e.id === endpoint.id)).toMatchObject({ dead: 1, pending: 0 });

    rx.fallback = 200;
    const replayed = await stack.admin.post(`/api/webhook-deliveries/${dead!.id}/replay`, {});
    expect(replayed.status).toBe(200);
    const got = await rx.waitFor((r) => r.answered === 200, 'the replayed delivery');
    expect(eventOf(got).id).toBe(dead!.eventId);
    const [replay] = await until(
      () => stack.deliveries(`?status=delivered&endpoint=${endpoint.id}`),
      (d) => d.length === 1,
      'the replay to be delivered',
    );
    expect(replay).toMatchObject({ replayOf: dead!.id, eventId: dead!.eventId });
    expect((await stack.broker.fleet.audit.list({ action: 'webhook.replay', limit: 1 }))[0]).toMatchObject({
      target: 'down',
      outcome: 'ok',
      detail: { delivery: dead!.id, replay: replay!.id },
    });
    // A viewer may not replay: refused and audited.
    const viewerPassword = await (async () => {
      const res = await stack.admin.post('/api/staff', { name: 'vera', displayName: 'Vera', role: 'viewer' });
      return (res.body as { password: string }).password;
    })();
    const { StaffApi } = await import('../console/helpers.js');
    const viewer = new StaffApi(stack.baseUrl);
    await viewer.loginReady('vera', viewerPassword);
    expect((await viewer.post(`/api/webhook-deliveries/${dead!.id}/replay`, {})).status).toBe(403);
    expect((await stack.broker.fleet.audit.list({ action: 'webhook.replay', limit: 1 }))[0]).toMatchObject({
      outcome: 'refused',
    });
    await stack.admin.post(`/api/webhooks/${endpoint.id}/delete`, {});
  });

  it('a receiver that hangs holds up neither another webhook nor the API; its attempt times out', async () => {
    const slow = await receiver();
    slow.fallback = 'hold';
    const fast = await receiver();
    const hangs = await stack.createWebhook({
      kind: 'webhook',
      name: 'hangs',
      url: slow.url,
      events: ['error.raised'],
    });
    const quick = await stack.createWebhook({
      kind: 'webhook',
      name: 'quick',
      url: fast.url,
      events: ['error.raised'],
    });
    await device.raiseError('E21');
    await slow.waitFor(() => true, 'the request that hangs');
    await fast.waitFor(() => true, "the other webhook's delivery");
    expect((await stack.admin.get('/api/webhooks')).status).toBe(200);
    const [held] = await until(
      () => stack.deliveries(`?endpoint=${hangs.endpoint.id}`),
      (d) => (d[0]?.attempts.length ?? 0) >= 1,
      'the timed-out attempt',
    );
    expect(held!.attempts[0]).toMatchObject({ statusCode: null, error: 'timed out' });
    expect(held!.attempts[0]!.durationMs).toBeGreaterThanOrEqual(FAST_RETRIES.timeoutMs! - 50);
    for (const e of [hangs, quick]) await stack.admin.post(`/api/webhooks/${e.endpoint.id}/delete`, {});
  });

  it('sends case updates (claim, note), the resolution and command results in order', async () => {
    const rx = await receiver();
    const { endpoint } = await stack.createWebhook({
      kind: 'webhook',
      name: 'everything',
      url: rx.url,
      events: ['case.opened', 'case.updated', 'case.resolved', 'command.result'],
    });
    await device.escalate('case-flow', 'no_water', 'descale', 'hs-3', []);
    await rx.waitFor((r) => eventOf(r).type === 'case.opened', 'case.opened');
    await stack.admin.post('/api/cases/case-flow', { op: 'claim' });
    await rx.waitFor((r) => eventOf(r).type === 'case.updated', 'the claim');
    await stack.admin.post('/api/cases/case-flow/notes', { text: 'Asked the customer to refill the tank.' });
    await rx.waitFor((r) => eventOf(r).type === 'case.updated', 'the note', 2);
    await stack.admin.post('/api/cases/case-flow', { op: 'status', status: 'resolved' });
    await rx.waitFor((r) => eventOf(r).type === 'case.resolved', 'the resolution');
    const sent = await stack.admin.post('/api/devices/cm-hook-1/commands', { action: 'descale', params: {} });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    await rx.waitFor(
      (r) => eventOf(r).type === 'command.result' && eventOf(r).data.status === 'succeeded',
      'succeeded',
    );

    const events = rx.received.map(eventOf);
    expect(events.map((e) => [e.type, e.data.change ?? e.data.status ?? null])).toEqual([
      ['case.opened', null],
      ['case.updated', 'claimed'],
      ['case.updated', 'note'],
      ['case.resolved', null],
      ['command.result', 'accepted'],
      ['command.result', 'succeeded'],
    ]);
    expect(events[2]!.data.note).toMatchObject({ text: 'Asked the customer to refill the tank.' });
    expect(events[3]!.data.case).toMatchObject({ id: 'case-flow', status: 'resolved' });
    expect(String((events[0]!.data.case as { url: string }).url)).toBe(`${stack.baseUrl}/#/queue/case-flow`);
    await stack.admin.post(`/api/webhooks/${endpoint.id}/delete`, {});
  });
});

describe('the delivery queue across a broker restart (issue 17)', () => {
  it('a delivery whose first attempt failed is delivered by the restarted broker, with both attempts on record', async () => {
    // Its own broker: the retry waits 4–8 s (backoffDelay's upper half), long enough to stop the broker first.
    const own = await WebhookStack.start({ webhooks: { ...FAST_RETRIES, backoffMinMs: 8_000, backoffMaxMs: 8_000 } });
    const rx = await receiver();
    rx.script = [500];
    try {
      const { endpoint } = await own.createWebhook({
        kind: 'webhook',
        name: 'durable',
        url: rx.url,
        events: ['error.raised'],
      });
      const dev = await own.device('cm-restart');
      await dev.raiseError('E11');
      const first = await rx.waitFor(() => true, 'the first attempt');
      await until(
        () => own.deliveries(),
        (d) => d[0]?.attempts.length === 1,
        'the failed attempt to be recorded',
      );
      await dev.close();
      await own.broker.close();
      // Stopped with the retry still pending: nothing but the first attempt reached the receiver.
      expect(rx.received).toHaveLength(1);
      await own.restart();
      const second = await rx.waitFor(() => true, 'the attempt after the restart', 2);
      expect(eventOf(second).id).toBe(eventOf(first).id);
      const [delivery] = await until(
        () => own.deliveries(`?endpoint=${endpoint.id}`),
        (d) => d[0]?.status === 'delivered',
        'the delivery after the restart',
      );
      expect(delivery!.attempts.map((a) => a.statusCode)).toEqual([500, 200]);
    } finally {
      await own.close();
    }
  });
});

describe('a stop in the middle of an attempt (issue 17)', () => {
  it('is not counted against the receiver: the restarted broker delivers at once, one attempt on record', async () => {
    const own = await WebhookStack.start({ webhooks: FAST_RETRIES });
    const rx = await receiver();
    rx.script = ['hold'];
    try {
      const { endpoint } = await own.createWebhook({
        kind: 'webhook',
        name: 'cut',
        url: rx.url,
        events: ['error.raised'],
      });
      const dev = await own.device('cm-cut');
      await dev.raiseError('E12');
      const held = await rx.waitFor(() => true, 'the attempt that hangs');
      await dev.close();
      await own.restart();
      const next = await rx.waitFor((r) => r.answered === 200, 'the delivery after the restart');
      expect(eventOf(next).id).toBe(eventOf(held).id);
      const [delivery] = await until(
        () => own.deliveries(`?endpoint=${endpoint.id}`),
        (d) => d[0]?.status === 'delivered',
        'the delivery to be marked delivered',
      );
      expect(delivery!.attempts.map((a) => a.statusCode)).toEqual([200]);
    } finally {
      await own.close();
    }
  });
});
