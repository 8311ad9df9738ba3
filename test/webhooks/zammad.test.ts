import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { header, type CaseOpenMessage } from '@touchpoint/protocol';
import type { SimulatedDevice } from '../console/helpers.js';
import { FakeZammad } from '../helpers/zammad-server.js';
import { FAST_RETRIES, WebhookStack, until } from './harness.js';

/**
 * Issue 17, "One ticketing connector": the Zammad connector against a local server with Zammad's documented
 * endpoints and payloads. A case opens a ticket with the trace, the diagnostics summary and a link back; staff
 * notes and the resolution go to the ticket; a Zammad reply and a state change come back through Zammad's
 * signed trigger webhook.
 */

let stack: WebhookStack;
let zammad: FakeZammad;
let device: SimulatedDevice;
let inboundUrl: string;
let inboundSecret: string;
let endpointId: string;

function escalation(caseId: string): CaseOpenMessage {
  const at = Date.now() - 60_000;
  return {
    ...header(),
    deviceId: 'cm-zd-1',
    caseId,
    reason: 'descale_failed',
    flowId: 'descale',
    sessionId: `hs-${caseId}`,
    locale: 'en',
    trace: [
      { kind: 'start', at, flowId: 'descale', flowVersion: '1.0.0', trigger: 'menu', locale: 'en' },
      { kind: 'step', at: at + 1_000, stepId: 'tank', stepType: 'check' },
      { kind: 'check', at: at + 2_000, stepId: 'tank', result: false },
      { kind: 'outcome', at: at + 3_000, outcome: 'escalated', msTotal: 3_000 },
    ],
    diagnostics: {
      ...header(),
      deviceId: 'cm-zd-1',
      reason: 'case',
      mcu: {
        info: { model: 'CM-9', serial: 'SN-1', firmwareVersion: '2.4.1' },
        sensors: { water_tank_level: 3, boiler_temp: 91 },
        errors: ['E05'],
      },
      agent: { outboxDepth: 0, outboxDropped: 0, reconnects: 0, link: 'up', uptimeS: 100 },
    },
    consent: { diagnostics: true, helpSession: true, at: Date.now() },
  };
}

beforeAll(async () => {
  stack = await WebhookStack.start({ webhooks: FAST_RETRIES });
  zammad = await FakeZammad.start();
  device = await stack.device('cm-zd-1');
  const created = await stack.createWebhook({
    kind: 'zammad',
    name: 'helpdesk',
    url: zammad.url,
    token: zammad.token,
    zammad: { group: 'Users', customer: 'devices@example.com' },
  });
  endpointId = created.endpoint.id;
  inboundSecret = created.secret;
  inboundUrl = `${stack.baseUrl}${created.inboundPath!}`;
  expect(created.endpoint.events).toEqual(['case.opened', 'case.updated', 'case.resolved']);
});

afterAll(async () => {
  await device?.close();
  await zammad?.close();
  await stack?.close();
});

describe('the Zammad connector (issue 17)', () => {
  it('a case opens a ticket with the trace, diagnostics and a link; a staff note becomes an article; resolving closes it', async () => {
    await device.publish('caseOpen', escalation('case-zd-1'));
    const ticket = await zammad.waitFor(() => [...zammad.tickets.values()][0], 'the ticket');
    expect(ticket).toMatchObject({
      title: 'descale_failed on cm-zd-1 (coffee-machine)',
      group: 'Users',
      customer: 'guess:devices@example.com',
      state: 'new',
    });
    const first = zammad.articles.find((a) => a.ticket_id === ticket.id)!;
    expect(first).toMatchObject({ content_type: 'text/plain', internal: false });
    expect(first.body).toContain(`Console: ${stack.baseUrl}/#/queue/case-zd-1`);
    expect(first.body).toContain('firmware 2.4.1');
    expect(first.body).toContain('errors: E05');
    expect(first.body).toContain('water_tank_level: 3');
    expect(first.body).toContain('check tank: failed');
    expect(first.body).toContain('outcome: escalated');
    // The case↔ticket mapping, once the connector has the answer.
    await until(
      () =>
        stack.broker.fleet.db
          .prepare('SELECT ticket_id FROM zammad_tickets WHERE case_id = ?')
          .pluck()
          .get('case-zd-1'),
      (id) => id === ticket.id,
      'the case-ticket mapping',
    );

    await stack.admin.post('/api/cases/case-zd-1', { op: 'claim' });
    await zammad.waitFor(() => ticket.state === 'open', 'the claim to open the ticket');
    await stack.admin.post('/api/cases/case-zd-1/notes', { text: 'Tank sensor reads 3 %, asked for a refill.' });
    const note = await zammad.waitFor(
      () => zammad.articles.find((a) => a.ticket_id === ticket.id && a.internal),
      'the note article',
    );
    expect(note.body).toBe('Administrator: Tank sensor reads 3 %, asked for a refill.');
    await stack.admin.post('/api/cases/case-zd-1', { op: 'status', status: 'resolved' });
    await zammad.waitFor(() => ticket.state === 'closed', 'the resolution to close the ticket');
    expect(zammad.calls.filter((c) => c.method === 'PUT').map((c) => c.status)).toEqual([200, 200]);
  });

  it('a Zammad reply and state change come back to the case; its own articles and a bad signature are not taken', async () => {
    await device.publish('caseOpen', escalation('case-zd-2'));
    const ticket = await zammad.waitFor(
      () => [...zammad.tickets.values()].find((t) => t.title.startsWith('descale_failed') && t.id !== 81),
      'the second ticket',
    );
    await until(
      () =>
        stack.broker.fleet.db
          .prepare('SELECT ticket_id FROM zammad_tickets WHERE case_id = ?')
          .pluck()
          .get('case-zd-2'),
      (id) => id === ticket.id,
      'the case-ticket mapping',
    );
    // The trigger fires for the ticket's creation too: its opening article is the connector's own.
    const opened = await zammad.trigger(inboundUrl, inboundSecret, zammad.payload(ticket.id, zammad.articles.at(-1)));
    expect(opened).toMatchObject({ status: 200, body: { note: false, status: null } });

    const reply = zammad.reply(ticket.id, '<p>Please run the descaler &amp; restart.</p><p>Emma</p>');
    zammad.setState(ticket.id, 'open');
    const answered = await zammad.trigger(inboundUrl, inboundSecret, zammad.payload(ticket.id, reply));
    expect(answered).toMatchObject({ status: 200, body: { caseId: 'case-zd-2', note: true } });
    const notes = stack.broker.fleet.cases.get('case-zd-2')!.notes;
    expect(notes.at(-1)).toMatchObject({
      staffId: 'zammad:helpdesk',
      text: '[Zammad #10082] Emma Taylor: Please run the descaler & restart.\nEmma',
    });
    // Zammad's retry of the same webhook imports nothing twice.
    expect((await zammad.trigger(inboundUrl, inboundSecret, zammad.payload(ticket.id, reply))).body).toMatchObject({
      note: false,
    });
    expect(stack.broker.fleet.cases.get('case-zd-2')!.notes).toHaveLength(notes.length);

    // A forged request (wrong token) and a garbled one are refused and counted; nothing changes.
    zammad.setState(ticket.id, 'closed');
    const forged = await zammad.trigger(inboundUrl, 'not-the-token', zammad.payload(ticket.id));
    expect(forged.status).toBe(401);
    expect(stack.broker.counters.get('zammad.inbound_refused.BAD_SIGNATURE')).toBe(1);
    const garbled = await zammad.trigger(inboundUrl, inboundSecret, { ticket: { id: 'x' } });
    expect(garbled.status).toBe(400);
    expect(stack.broker.fleet.cases.get('case-zd-2')!.status).toBe('open');

    // Closed in Zammad: the case is resolved by the connector, audited, and the device's screen follows.
    const closed = await zammad.trigger(inboundUrl, inboundSecret, zammad.payload(ticket.id));
    expect(closed).toMatchObject({ status: 200, body: { status: 'resolved' } });
    expect(stack.broker.fleet.cases.get('case-zd-2')).toMatchObject({
      status: 'resolved',
      resolvedBy: 'zammad:helpdesk',
    });
    await zammad.waitFor(() => device.caseStatuses.includes('resolved') || undefined, 'the device to hear it');
    expect((await stack.broker.fleet.audit.list({ action: 'case.update', limit: 1 }))[0]).toMatchObject({
      actor: 'zammad:helpdesk',
      target: 'case-zd-2',
      detail: { to: 'resolved' },
    });
    // The resolution is not sent back to Zammad as a state change it already has.
    // (The first test resolved case-zd-1: this is the second case.resolved, delivered without a call.)
    await until(
      () => stack.deliveries(`?endpoint=${endpointId}&status=delivered`),
      (d) => d.filter((x) => x.eventType === 'case.resolved').length === 2,
      'the resolution to be delivered',
    );
    expect(zammad.calls.filter((c) => c.method === 'PUT' && c.path === `/api/v1/tickets/${ticket.id}`)).toHaveLength(0);
  });

  it('creates the ticket on a retry when Zammad was down; the failed attempts are on record', async () => {
    zammad.failNext = [502];
    await device.publish('caseOpen', escalation('case-zd-3'));
    const ticket = await zammad.waitFor(
      () => [...zammad.tickets.values()].find((t) => t.id > 82),
      'the third ticket, after a retry',
    );
    expect(ticket.title).toBe('descale_failed on cm-zd-1 (coffee-machine)');
    const deliveries = await stack.deliveries(`?endpoint=${endpointId}`);
    const opened = deliveries.find((d) => d.eventType === 'case.opened' && d.attempts[0]?.statusCode === 502);
    expect(opened?.attempts.map((a) => a.statusCode)).toEqual([502, 201]);
  });
});

describe('a Zammad connector added later (issue 17)', () => {
  it('opens no ticket for an older case, and delivers its updates as nothing to do', async () => {
    await device.publish('caseOpen', escalation('case-zd-old'));
    await until(
      () => stack.broker.fleet.cases.get('case-zd-old'),
      (c) => c !== undefined,
      'the older case',
    );
    const later = await FakeZammad.start('another-zammad-token-0123');
    try {
      const { endpoint } = await stack.createWebhook({
        kind: 'zammad',
        name: 'later',
        url: later.url,
        token: later.token,
        zammad: { group: 'Users', customer: 'devices@example.com' },
      });
      await stack.admin.post('/api/cases/case-zd-old/notes', { text: 'Before the connector.' });
      const [update] = await until(
        () => stack.deliveries(`?endpoint=${endpoint.id}`),
        (d) => d[0]?.status === 'delivered',
        'the update to be delivered as nothing to do',
      );
      expect(update).toMatchObject({ eventType: 'case.updated' });
      expect(update!.attempts).toHaveLength(1);
      expect(update!.attempts[0]).toMatchObject({ statusCode: null, error: null });
      expect(later.calls).toEqual([]);
      await stack.admin.post(`/api/webhooks/${endpoint.id}/delete`, {});
    } finally {
      await later.close();
    }
  });
});
