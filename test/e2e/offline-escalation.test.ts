import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '@touchpoint/broker';
import { CSRF_HEADER, type CaseQueueResponse, type KpiResponse } from '@touchpoint/protocol';
import { openKiosk } from '../helpers/kiosk-socket.js';
import { eventually, startVirtualDevice, type VirtualDevice } from '../helpers/virtual-device.js';

/**
 * Issue 16: "An escalation queued offline is stamped with its arrival time, so
 * the SLA timer, waiting time and time to resolution hide the whole outage."
 * The real agent (virtual MCU in process) escalates through its touch UI
 * socket while the broker is down; the broker comes back on the same data dir
 * and port, the agent's outbox delivers the case, and the case keeps the
 * customer's request time beside its arrival. The queue (the console's SLA and
 * waiting time read openedAt) and the KPIs count from the request.
 */
const DEVICE = 'cm-offline-case';
let dir: string;
let broker: RunningBroker;
let port: number;
let device: VirtualDevice;

const start = (mqttPort: number) =>
  startBroker({ dataDir: join(dir, 'broker'), host: '127.0.0.1', mqttPort, httpPort: 0, log: 'silent' });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-offline-case-'));
  broker = await start(0);
  port = broker.mqttPort;
  device = await startVirtualDevice(broker, { deviceId: DEVICE, dataDir: join(dir, 'agent'), pty: false, speed: 1 });
  await eventually(async () => (await broker.fleet.devices.get(DEVICE))?.online, 'device online');
});

afterAll(async () => {
  await device?.stop();
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The kiosk's socket: request/reply by id, as the touchscreen speaks it. */
const kiosk = () => openKiosk(device.uiUrl, device.kioskUrl);

async function staffApi(b: RunningBroker) {
  const { staff } = await b.fleet.staff.add('sina', 'agent', 'Sina');
  const login = b.fleet.staff.createSession(staff.id);
  const base = `http://127.0.0.1:${b.httpPort}`;
  const headers = { cookie: `tp_session=${login.token}`, [CSRF_HEADER]: login.csrfToken };
  return {
    async get<T>(path: string): Promise<T> {
      const res = await fetch(`${base}${path}`, { headers });
      expect(res.status, path).toBe(200);
      return (await res.json()) as T;
    },
    async post(path: string, body: object): Promise<void> {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, path).toBe(200);
    },
  };
}

describe('an escalation queued offline', () => {
  it('keeps the request time; SLA, waiting time and time to resolution count from it', async () => {
    const ui = await kiosk();
    await ui.request('help.start', { flowId: 'descale', locale: 'en' });
    await broker.close(); // the outage: the device keeps running, its MQTT link is gone

    const askedFrom = Date.now();
    const opened = (await ui.request('help.case.open', {
      locale: 'en',
      reason: 'the descale failed',
      consent: { diagnostics: true, helpSession: true },
    })) as { caseId: string };
    const askedBy = Date.now();
    ui.close();
    // The outage goes on past the request (the broker's restart alone takes longer than a millisecond).
    await eventually(() => Date.now() > askedBy, 'the clock moves on');
    const backAt = Date.now();
    broker = await start(port);
    const c = await eventually(
      () => broker.fleet.cases.get(opened.caseId),
      'the queued case arrives after the reconnect',
      20_000,
    );

    expect(c.openedAt).toBeGreaterThanOrEqual(askedFrom);
    expect(c.openedAt).toBeLessThanOrEqual(askedBy);
    expect(c.receivedAt).toBeGreaterThanOrEqual(backAt);
    expect(c.receivedAt).toBeGreaterThan(c.openedAt);

    const api = await staffApi(broker);
    const queue = await api.get<CaseQueueResponse>('/api/cases');
    const listed = queue.items.find((i) => i.id === opened.caseId);
    // The console's SLA timer and "waiting" both run from openedAt (console/src/common/sla.ts).
    expect(listed).toMatchObject({ openedAt: c.openedAt, receivedAt: c.receivedAt, status: 'open' });

    await api.post(`/api/cases/${opened.caseId}`, { op: 'status', status: 'resolved' });
    const resolved = broker.fleet.cases.get(opened.caseId)!;
    const kpis = await api.get<KpiResponse>(`/api/kpis?from=${askedFrom - 1}&to=${Date.now() + 1}`);
    expect(kpis.casesResolved).toBe(1);
    // Time to resolution includes the outage: from the request, not from the arrival.
    expect(kpis.medianTimeToResolutionMs).toBe(resolved.resolvedAt! - c.openedAt);
    expect(kpis.medianTimeToResolutionMs!).toBeGreaterThan(resolved.resolvedAt! - c.receivedAt);
  });
});
