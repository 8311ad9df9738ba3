import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WEBHOOK_HEADERS,
  deliveryListResponse,
  healthResponse,
  webhookEvent,
  webhookWithSecret,
  type DeliveryView,
  type WebhookEvent,
} from '@touchpoint/protocol';
import { SimulatedDevice, StaffApi } from '../console/helpers.js';
import { rabbitmqInstalled } from '../helpers/rabbitmq-cluster.js';
import { tcpSocketOwner } from '../helpers/socket-owner.js';
import { eventually } from '../helpers/virtual-device.js';
import { WebhookReceiver, type Received } from '../helpers/webhook-receiver.js';
import { verifyTouchpointWebhook } from '../helpers/webhook-verify.js';
import { FakeZammad } from '../helpers/zammad-server.js';
import {
  amqpArgs,
  spawnCli,
  startApiProcess,
  startEngineCluster,
  stopAll,
  type ApiProcess,
  type CliProcess,
  type EngineCluster,
} from './harness.js';

// Issues 15 and 17, webhooks in cluster mode: a fleet worker and two `touchpoint api` processes (the real CLI) on a
// real three-node RabbitMQ, a device on MQTT.js, a webhook receiver on loopback. Each event is queued once, by the
// process where it happened (the worker for what it ingests, an API process for its staff actions), and delivered
// once by either API process; an API process killed with kill -9 in the middle of an attempt leaves its lease to
// run out, then the other delivers. Not skipped: without rabbitmq-server it fails.
const installed = rabbitmqInstalled();
const DEVICE = 'cm-hook-c1';

let ec: EngineCluster;
const processes: CliProcess[] = [];
let worker: CliProcess;
let apiA: ApiProcess;
let apiB: ApiProcess;
let onA: StaffApi;
let onB: StaffApi;
let rx: WebhookReceiver;
let secret: string;
let endpointId: string;
let device: SimulatedDevice;

const eventOf = (r: Received): WebhookEvent => webhookEvent.parse(JSON.parse(r.body));
const headerOf = (r: Received, name: string) => {
  const v = r.headers[name];
  return typeof v === 'string' ? v : undefined;
};
const caseOf = (e: WebhookEvent) => e.data.case as { id: string; status: string } | undefined;

/** Which API process sent a request the receiver got (the connection it came on, while it is open). */
function sender(r: Received): ApiProcess | undefined {
  const port = Number(new URL(rx.url).port);
  const pid =
    r.remotePort === undefined ? undefined : tcpSocketOwner(r.remotePort, port, [apiA.proc.pid!, apiB.proc.pid!]);
  return [apiA, apiB].find((p) => p.proc.pid === pid);
}

async function deliveries(staff: StaffApi): Promise<DeliveryView[]> {
  const res = await staff.get(`/api/webhook-deliveries?endpoint=${endpointId}&limit=200`);
  if (res.status !== 200) throw new Error(`deliveries: ${res.status} ${JSON.stringify(res.body)}`);
  return deliveryListResponse.parse(res.body).items;
}

async function queuedBy(api: ApiProcess, staff: StaffApi): Promise<number> {
  const res = await staff.get('/api/health');
  expect(res.status, `health of ${api.name}`).toBe(200);
  return healthResponse.parse(res.body).counters['webhook.queued'] ?? 0;
}

/**
 * The events were delivered exactly once: each is one row in the queue (queued once), delivered with one attempt
 * (no second taker), and reached the receiver once, signed with the webhook's secret.
 */
async function expectDeliveredOnce(staff: StaffApi, events: readonly WebhookEvent[]): Promise<void> {
  const ids = new Set(events.map((e) => e.id));
  const rows = await eventually(
    async () => {
      const list = (await deliveries(staff)).filter((d) => ids.has(d.eventId));
      return list.length >= ids.size && list.every((d) => d.status === 'delivered') ? list : undefined;
    },
    'the deliveries recorded as delivered',
    30_000,
  );
  for (const e of events) {
    expect(
      rows.filter((d) => d.eventId === e.id).map((d) => d.attempts.length),
      `${e.type} ${e.id}`,
    ).toEqual([1]);
    const got = rx.received.filter((r) => headerOf(r, WEBHOOK_HEADERS.id) === e.id);
    expect(got, `${e.type} at the receiver`).toHaveLength(1);
    const [ts, sig] = [headerOf(got[0]!, WEBHOOK_HEADERS.timestamp), headerOf(got[0]!, WEBHOOK_HEADERS.signature)];
    expect(verifyTouchpointWebhook(secret, got[0]!.body, ts, sig), `${e.type}'s signature`).toBe('ok');
  }
}

describe('webhooks in cluster mode: queued once where the event happened, delivered once by any API process', () => {
  beforeAll(async () => {
    if (!installed)
      throw new Error('rabbitmq-server is not installed: apt-get install rabbitmq-server (.ci/run installs it)');
    ec = await startEngineCluster();
    console.info(`three-node RabbitMQ cluster started in ${ec.cluster.startMs} ms`);
    const token = (await ec.auth.devices.provision(DEVICE, 'coffee-machine', [])).token;
    const amqp = amqpArgs(ec, 0);
    worker = spawnCli('worker', [
      'fleet-worker',
      ...amqp,
      '--data-dir',
      ec.dataDir,
      '--public-url',
      'https://support.example.com',
    ]);
    processes.push(worker);
    await eventually(() => worker.log().includes('consuming'), `the worker consuming (log: ${worker.log()})`, 60_000);
    // A first: on a fresh data folder it makes the command key and the first admin, which B then finds.
    apiA = await startApiProcess(ec, 'api-a', 1, processes);
    apiB = await startApiProcess(ec, 'api-b', 2, processes);
    const password = /one-time password: (\S+)/.exec(apiA.log())?.[1];
    expect(password, `A prints the first admin's password (log: ${apiA.log()})`).toBeDefined();
    onA = new StaffApi(apiA.base);
    const own = await onA.loginReady('admin', password!);
    onB = new StaffApi(apiB.base);
    await onB.login('admin', own);

    rx = await WebhookReceiver.start();
    const created = await onA.post('/api/webhooks', {
      kind: 'webhook',
      name: 'helpdesk',
      url: rx.url,
      events: ['case.opened', 'case.updated', 'error.raised'],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    ({ secret } = webhookWithSecret.parse(created.body));
    endpointId = webhookWithSecret.parse(created.body).endpoint.id;
    device = new SimulatedDevice(DEVICE, token, ec.cluster.nodes[0]!.mqttUrl);
    await device.connect();
  }, 240_000);

  afterAll(async () => {
    await device?.close();
    await rx?.close();
    await stopAll(processes);
    if (!ec) return;
    await ec.stop();
    expect(ec.cluster.leftovers(), 'processes of the cluster still running after stop()').toEqual([]);
  }, 90_000);

  it('delivers a case opened by a device (queued by the fleet worker) and a staff claim on A, each once and signed', async () => {
    const queuedBefore = [await queuedBy(apiA, onA), await queuedBy(apiB, onB)];
    await device.escalate('case-c1', 'descale_failed', 'descale', 'hs-c1', []);
    const opened = eventOf(
      await rx.waitFor((r) => eventOf(r).type === 'case.opened', 'the case.opened delivery', 1, 60_000),
    );
    expect(caseOf(opened)).toMatchObject({ id: 'case-c1', status: 'open' });
    // The worker knows the console's address from --public-url.
    expect(opened.data.case).toMatchObject({ url: 'https://support.example.com/#/queue/case-c1' });

    const claimed = await onA.post('/api/cases/case-c1', { op: 'claim' });
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
    const update = eventOf(
      await rx.waitFor(
        (r) => eventOf(r).type === 'case.updated' && eventOf(r).data.change === 'claimed',
        'the claim delivery',
        1,
        30_000,
      ),
    );
    expect(caseOf(update)).toMatchObject({ id: 'case-c1', status: 'claimed' });
    await expectDeliveredOnce(onB, [opened, update]);
    // Queued where it happened: A queued its claim; neither API process queued the worker's case.opened, which
    // the live channel brought to both.
    expect(await queuedBy(apiA, onA)).toBe(queuedBefore[0]! + 1);
    expect(await queuedBy(apiB, onB)).toBe(queuedBefore[1]!);
    expect((await deliveries(onA)).filter((d) => d.eventType === 'case.opened')).toHaveLength(1);
  });

  it('delivers every staff action on A and B and an error a device raised exactly once, by either API process', async () => {
    const queuedBefore = [await queuedBy(apiA, onA), await queuedBy(apiB, onB)];
    const notes = ['first look', 'asked for a photo', 'tank refilled', 'descaler ordered', 'waiting', 'done'];
    for (const [i, text] of notes.entries()) {
      const res = await (i % 2 === 0 ? onA : onB).post('/api/cases/case-c1/notes', { text });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    await device.raiseError('E03');
    const events: WebhookEvent[] = [];
    for (const text of notes) {
      const got = await rx.waitFor(
        (r) => (eventOf(r).data.note as { text?: string } | undefined)?.text === text,
        `the note "${text}"`,
        1,
        30_000,
      );
      events.push(eventOf(got));
    }
    const raised = await rx.waitFor((r) => eventOf(r).type === 'error.raised', 'the error.raised delivery', 1, 30_000);
    expect(eventOf(raised).data).toMatchObject({ deviceId: DEVICE, model: 'coffee-machine', code: 'E03' });
    events.push(eventOf(raised));
    await expectDeliveredOnce(onA, events);
    expect(await queuedBy(apiA, onA)).toBe(queuedBefore[0]! + 3);
    expect(await queuedBy(apiB, onB)).toBe(queuedBefore[1]! + 3);
  });

  it("takes Zammad's trigger webhook on any API process: a reply sent to B becomes a note of the case", async () => {
    const zammad = await FakeZammad.start();
    try {
      const created = await onA.post('/api/webhooks', {
        kind: 'zammad',
        name: 'zammad',
        url: zammad.url,
        token: zammad.token,
        zammad: { group: 'Users', customer: 'devices@example.com' },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const connector = webhookWithSecret.parse(created.body);
      await device.escalate('case-c2', 'no_water', 'descale', 'hs-c2', []);
      const ticket = await zammad.waitFor(() => [...zammad.tickets.values()][0], 'the ticket', 60_000);
      // The reply goes to the API process that did not necessarily make the ticket: B.
      const reply = zammad.reply(ticket.id, '<p>Please refill the tank.</p>');
      const answered = await eventually(
        async () => {
          const res = await zammad.trigger(
            `${apiB.base}${connector.inboundPath!}`,
            connector.secret,
            zammad.payload(ticket.id, reply),
          );
          // Until the connector has recorded the ticket, the call is for a ticket it does not know (202, ignored).
          return res.status === 200 && (res.body as { note?: boolean }).note === true ? res : undefined;
        },
        "B taking Zammad's reply once the ticket is recorded",
        30_000,
      );
      expect(answered.body).toMatchObject({ caseId: 'case-c2', note: true });
      const detail = await onA.get('/api/cases/case-c2');
      expect(JSON.stringify(detail.body)).toContain('Please refill the tank.');
      const refused = await zammad.trigger(
        `${apiA.base}${connector.inboundPath!}`,
        'not-the-token',
        zammad.payload(ticket.id, reply),
      );
      expect(refused.status).toBe(401);
      await onA.post(`/api/webhooks/${connector.endpoint.id}/delete`, {});
    } finally {
      await zammad.close();
    }
  });

  it('after kill -9 of the API process holding an attempt, the other delivers the event once its lease ends', async () => {
    rx.script = ['hold'];
    const res = await onA.post('/api/cases/case-c1/notes', { text: 'held by the receiver' });
    expect(res.status).toBe(201);
    const held = await rx.waitFor((r) => r.answered === 'held', 'the held attempt', 1, 30_000);
    const event = eventOf(held);
    const holder = sender(held);
    expect(holder, 'the attempt came from an API process').toBeDefined();
    const survivor = holder === apiA ? apiB : apiA;
    holder!.proc.kill('SIGKILL');
    expect(await holder!.exited, `${holder!.name} was killed (no exit code)`).toBeNull();
    const again = await rx.waitFor(
      (r) => headerOf(r, WEBHOOK_HEADERS.id) === event.id,
      `the same event from ${survivor.name} after the lease`,
      2,
      60_000,
    );
    expect(again.answered).toBe(200);
    // The survivor waited for the lease (the attempt's 10 s timeout and a margin) rather than taking it at once.
    const sent = (r: Received) => Number(headerOf(r, WEBHOOK_HEADERS.timestamp));
    expect(sent(again) - sent(held)).toBeGreaterThanOrEqual(10);
    const staff = survivor === apiA ? onA : onB;
    const [row] = await eventually(
      async () => {
        const list = (await deliveries(staff)).filter((d) => d.eventId === event.id);
        return list[0]?.status === 'delivered' ? list : undefined;
      },
      'the delivery recorded by the survivor',
      30_000,
    );
    // The killed attempt was never recorded: one attempt on record, the survivor's.
    expect(row!.attempts).toHaveLength(1);
    expect(row!.attempts[0]).toMatchObject({ statusCode: 200 });
    expect(rx.received.filter((r) => headerOf(r, WEBHOOK_HEADERS.id) === event.id)).toHaveLength(2);
  });
});
