import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '@touchpoint/broker';
import {
  BUNDLE_MAX_BYTES,
  CSRF_HEADER,
  deviceTopic,
  header,
  parseTopic,
  type BundleDownload,
  type BundleListResponse,
  type BundleSummary,
  type UiBundleAskMessage,
} from '@touchpoint/protocol';
import { openKiosk, type KioskSocket } from '../helpers/kiosk-socket.js';
import { eventually, startVirtualDevice, type VirtualDevice } from '../helpers/virtual-device.js';

/**
 * Issue 17, "Support bundles": a staff member asks for a bundle through the API, the real agent builds it,
 * redacts it, and shows it on its touchscreen socket; only the customer's Send puts it on the wire, and the
 * fleet stores it with the case for download. Don't send is recorded as a refusal with nothing stored; a
 * bundle over the limit is never offered, and the fleet refuses one anyway. The real broker, the real agent
 * with the virtual MCU, real MQTT, a real SQLite file.
 */
const DEVICE = 'cm-bundle';
const PLANTED = {
  token: 'planted-secret-ZmFrZS10b2tlbi1mb3ItdGhlLWJ1bmRsZS10ZXN0',
  email: 'jane.doe@example.com',
  ip: '192.168.7.42',
  mac: '00:1a:2b:3c:4d:5e',
};
let dir: string;
let broker: RunningBroker;
let device: VirtualDevice;
let ui: KioskSocket;
let caseId: string;
let staff: Awaited<ReturnType<typeof staffApi>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-bundle-'));
  broker = await startBroker({
    dataDir: join(dir, 'broker'),
    host: '127.0.0.1',
    mqttPort: 0,
    httpPort: 0,
    log: 'silent',
  });
  device = await startVirtualDevice(broker, { deviceId: DEVICE, dataDir: join(dir, 'agent'), pty: false, speed: 1 });
  await eventually(async () => (await broker.fleet.devices.get(DEVICE))?.online, 'device online');
  ui = await openKiosk(device.uiUrl, device.kioskUrl);
  // A help session and an escalation: the case the bundle is asked for, and a session for its summary.
  await ui.request('help.start', { flowId: 'descale', locale: 'en' });
  const opened = (await ui.request('help.case.open', {
    locale: 'en',
    reason: 'the descale failed',
    consent: { diagnostics: true, helpSession: true },
  })) as { caseId: string };
  caseId = opened.caseId;
  await eventually(() => broker.fleet.cases.get(caseId), 'the case reaches the fleet');
  staff = await staffApi(broker, 'sina', 'agent');
});

afterAll(async () => {
  ui?.close();
  await device?.stop();
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

async function staffApi(b: RunningBroker, name: string, role: 'viewer' | 'agent') {
  const { staff: member } = await b.fleet.staff.add(name, role, name);
  const login = b.fleet.staff.createSession(member.id);
  const base = `http://127.0.0.1:${b.httpPort}`;
  const headers = { cookie: `tp_session=${login.token}`, [CSRF_HEADER]: login.csrfToken };
  return {
    async get(path: string): Promise<{ status: number; body: unknown; disposition: string | null }> {
      const res = await fetch(`${base}${path}`, { headers });
      return { status: res.status, body: await res.json(), disposition: res.headers.get('content-disposition') };
    },
    async post(path: string, body: object): Promise<{ status: number; body: unknown }> {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
  };
}

async function request(): Promise<BundleSummary> {
  const res = await staff.post(`/api/cases/${caseId}/bundles`, {});
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as BundleSummary;
}

async function listed(id: string): Promise<BundleSummary | undefined> {
  const res = await staff.get(`/api/cases/${caseId}/bundles`);
  return (res.body as BundleListResponse).items.find((b) => b.id === id);
}

const asked = (id: string) =>
  eventually(
    () =>
      ui.pushed.find(
        (m): m is UiBundleAskMessage & { type: 'bundle.ask' } => m.type === 'bundle.ask' && m.requestId === id,
      ),
    `the touchscreen is asked about bundle ${id}`,
  );

const audited = async (action: string) =>
  (await broker.fleet.audit.list({ action })).filter((a) => a.target === caseId);

describe('support bundles', () => {
  it('shows the customer the redacted bundle, sends it only after Send, and stores it with the case', async () => {
    device.agent.services.logger.warn('planted for the bundle test', {
      token: PLANTED.token,
      note: `mail ${PLANTED.email} from ${PLANTED.ip}, hardware ${PLANTED.mac}`,
    });
    device.mcu.mcu.raise('E02');
    await eventually(() => device.agent.services.mcu.bridge.activeErrors.includes('E02'), 'the agent sees E02');
    const b = await request();
    expect(b).toMatchObject({ status: 'requested', deviceId: DEVICE, requestedBy: { displayName: 'sina' } });
    expect(b.to - b.from).toBe(24 * 60 * 60 * 1000);

    const ask = await asked(b.id);
    // Nothing has left the device: the fleet still waits, and holds no content.
    expect((await listed(b.id))?.status).toBe('requested');
    expect(broker.fleet.db.prepare('SELECT content FROM case_bundles WHERE id = ?').pluck().get(b.id)).toBeNull();

    const shown = JSON.stringify(ask.bundle);
    for (const value of Object.values(PLANTED)) expect(shown).not.toContain(value);
    for (const rule of ['secret', 'email', 'ip', 'mac']) expect(shown).toContain(`[redacted:${rule}]`);

    await ui.request('bundle.answer', { requestId: b.id, send: true });
    const stored = await eventually(
      async () => ((await listed(b.id))?.status === 'stored' ? listed(b.id) : undefined),
      'the bundle is stored',
    );
    expect(stored!.sizeBytes).toBeGreaterThan(0);

    const download = await staff.get(`/api/cases/${caseId}/bundles/${b.id}`);
    expect(download.status).toBe(200);
    expect(download.disposition).toBe(`attachment; filename="bundle-${caseId}-${b.id}.json"`);
    const body = download.body as BundleDownload;
    // Exactly what the customer was shown.
    expect(body.bundle).toEqual(ask.bundle);
    const text = JSON.stringify(body);
    for (const value of Object.values(PLANTED)) expect(text).not.toContain(value);
    // A marker of each section.
    expect(body.bundle.agentLog.some((l) => l.line.includes('planted for the bundle test'))).toBe(true);
    expect(body.bundle.mcu.events.some((e) => e.type === 'link' && e.code === 'up')).toBe(true);
    expect(body.bundle.mcu.events.some((e) => e.type === 'error.raised' && e.code === 'E02')).toBe(true);
    expect(body.bundle.mcu.activeErrors).toContain('E02');
    expect(body.bundle.helpSessions.some((s) => s.flowId === 'descale' && s.outcome === 'escalated')).toBe(true);
    expect(body.bundle.outbox).toMatchObject({ dropped: 0 });
    expect(body.bundle.host.memTotalBytes).toBeGreaterThan(0);
    expect(body.bundle.host.net.every((n) => n.address === '[redacted:ip]')).toBe(true);
    expect(body.bundle.redactions.map((r) => r.rule)).toEqual(expect.arrayContaining(['email', 'ip', 'mac', 'secret']));

    expect((await audited('bundle.request')).map((a) => a.detail?.bundleId)).toContain(b.id);
    expect((await audited('bundle.sent')).map((a) => a.detail?.bundleId)).toContain(b.id);
    expect((await audited('bundle.download')).map((a) => a.detail?.bundleId)).toContain(b.id);
  });

  it("records Don't send as a refusal, with nothing stored", async () => {
    const b = await request();
    await asked(b.id);
    await ui.request('bundle.answer', { requestId: b.id, send: false });
    await eventually(async () => (await listed(b.id))?.status === 'refused', 'the refusal is recorded');
    expect(broker.fleet.db.prepare('SELECT content FROM case_bundles WHERE id = ?').pluck().get(b.id)).toBeNull();
    const download = await staff.get(`/api/cases/${caseId}/bundles/${b.id}`);
    expect(download.status).toBe(404);
    expect((await audited('bundle.refused')).map((a) => a.detail?.bundleId)).toContain(b.id);
    // The question is closed on the touchscreen, and a late answer is refused.
    await eventually(
      () => ui.pushed.some((m) => m.type === 'bundle.closed' && m.requestId === b.id && m.outcome === 'refused'),
      'the sheet closes',
    );
    await expect(ui.request('bundle.answer', { requestId: b.id, send: true })).rejects.toThrow(/no longer open/);
  });

  it('never offers a bundle over the limit, and says why', async () => {
    // Words, not one run of letters: a long run would be redacted as a token and shrink to a marker.
    const line = 'filler words '.repeat(70);
    for (let i = 0; i < 300; i++) device.agent.services.logger.info(`filler ${i} ${line}`);
    const b = await request();
    const failed = await eventually(
      async () => ((await listed(b.id))?.status === 'failed' ? listed(b.id) : undefined),
      'the oversize bundle is refused',
    );
    expect(failed!.reason).toMatch(
      new RegExp(`PAYLOAD_TOO_LARGE: the bundle is \\d+ bytes, over the ${BUNDLE_MAX_BYTES}-byte limit`),
    );
    expect(ui.pushed.some((m) => m.type === 'bundle.ask' && m.requestId === b.id)).toBe(false);
    expect((await audited('bundle.failed')).map((a) => a.detail?.bundleId)).toContain(b.id);
  });

  it('refuses an oversize answer at the fleet too, and one to a request it did not send', async () => {
    const submit = (payload: Buffer) =>
      new Promise<unknown>((resolve, reject) =>
        broker.fleet.ingest.submit(parseTopic(deviceTopic(DEVICE, 'bundle'))!, payload, (err, result) =>
          err ? reject(err) : resolve(result),
        ),
      );
    const big = Buffer.alloc(BUNDLE_MAX_BYTES + 1, 0x20);
    expect(await submit(big)).toMatchObject({ ok: false, code: 'PAYLOAD_TOO_LARGE' });
    const forged = {
      ...header(),
      deviceId: DEVICE,
      requestId: 'never-asked',
      caseId,
      outcome: 'refused',
      at: Date.now(),
    };
    expect(await submit(Buffer.from(JSON.stringify(forged)))).toMatchObject({ ok: false, code: 'CONFLICT' });
  });

  it('lets only agents ask, for at most 7 days', async () => {
    const viewer = await staffApi(broker, 'vera', 'viewer');
    expect((await viewer.post(`/api/cases/${caseId}/bundles`, {})).status).toBe(403);
    const now = Date.now();
    const long = await staff.post(`/api/cases/${caseId}/bundles`, { from: now - 8 * 86_400_000, to: now });
    expect(long.status).toBe(400);
    expect((await staff.post('/api/cases/no-such-case/bundles', {})).status).toBe(404);
  });

  it('expires a request the customer does not answer, and sends nothing', async () => {
    // A second device whose agent waits one second for the customer (supportBundles.consentWaitS).
    const waiting = await startVirtualDevice(broker, {
      deviceId: 'cm-bundle-wait',
      dataDir: join(dir, 'agent-wait'),
      pty: false,
      speed: 1,
      agent: { supportBundles: { consentWaitS: 1 } },
    });
    const kiosk = await openKiosk(waiting.uiUrl, waiting.kioskUrl);
    try {
      await eventually(
        async () => (await broker.fleet.devices.get('cm-bundle-wait'))?.online,
        'the second device online',
      );
      await kiosk.request('help.start', { flowId: 'descale', locale: 'en' });
      const opened = (await kiosk.request('help.case.open', {
        locale: 'en',
        reason: 'no answer',
        consent: { diagnostics: true, helpSession: true },
      })) as { caseId: string };
      await eventually(() => broker.fleet.cases.get(opened.caseId), 'the second case reaches the fleet');
      const res = await staff.post(`/api/cases/${opened.caseId}/bundles`, {});
      expect(res.status).toBe(201);
      const id = (res.body as BundleSummary).id;
      await eventually(() => kiosk.pushed.some((m) => m.type === 'bundle.ask' && m.requestId === id), 'asked');
      await eventually(
        () => kiosk.pushed.some((m) => m.type === 'bundle.closed' && m.requestId === id && m.outcome === 'expired'),
        'the question expires on the touchscreen',
      );
      await eventually(
        () => broker.fleet.bundles.get(opened.caseId, id)?.status === 'expired',
        'the fleet records the expiry',
      );
      expect(broker.fleet.db.prepare('SELECT content FROM case_bundles WHERE id = ?').pluck().get(id)).toBeNull();
      await expect(kiosk.request('bundle.answer', { requestId: id, send: true })).rejects.toThrow(/no longer open/);
    } finally {
      kiosk.close();
      await waiting.stop();
    }
  });

  it('deletes bundles with the retention sweep', () => {
    const count = () =>
      broker.fleet.db.prepare('SELECT COUNT(*) FROM case_bundles WHERE device_id = ?').pluck().get(DEVICE);
    expect(count()).toBeGreaterThan(0);
    const deleted = broker.fleet.retention.sweepAll(Date.now() + 31 * 86_400_000);
    expect(deleted.bundles).toBeGreaterThan(0);
    expect(count()).toBe(0);
  });
});
