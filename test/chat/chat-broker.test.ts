import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '@touchpoint/broker';
import {
  CHAT_TEXT_MAX,
  CSRF_HEADER,
  chatStaffMessage,
  deviceTopic,
  header,
  receiptMessage,
  type CaseOpenMessage,
  type ChatCustomerBody,
  type ChatCustomerMessage,
  type ChatEntryView,
  type ChatListResponse,
  type ChatStaffMessage,
  type ReceiptMessage,
} from '@touchpoint/protocol';
import { eventually } from '../helpers/virtual-device.js';

/**
 * Issue 17, "Live chat", on the wire: a device (a plain MQTT.js client with its own credential) writes in its
 * case's chat on `chat` and staff answer through the HTTP API, on a real broker (aedes) with a real SQLite file.
 * Stored once by message id and in the order sent, bad messages refused with a named code and quarantined,
 * receipted either way, and both sides rate-limited.
 */
const DEVICE = 'cm-chat-1';
const OTHER = 'cm-chat-2';
let dir: string;
let broker: RunningBroker;
let device: MqttClient;
let caseId: string;
const receipts: ReceiptMessage[] = [];
const down: ChatStaffMessage[] = [];
let staff: Awaited<ReturnType<typeof staffApi>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-chat-'));
  broker = await startBroker({ dataDir: dir, host: '127.0.0.1', mqttPort: 0, httpPort: 0, log: 'silent' });
  const creds = await broker.fleet.provisionDevice(DEVICE, 'coffee-machine');
  await broker.fleet.provisionDevice(OTHER, 'coffee-machine');
  device = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.mqttPort}`, {
    clientId: DEVICE,
    username: DEVICE,
    password: creds.token,
    reconnectPeriod: 0,
  });
  device.on('message', (topic, payload) => {
    if (topic === deviceTopic(DEVICE, 'receipt')) receipts.push(receiptMessage.parse(JSON.parse(payload.toString())));
    if (topic === deviceTopic(DEVICE, 'chatStaff')) down.push(chatStaffMessage.parse(JSON.parse(payload.toString())));
  });
  await device.subscribeAsync([deviceTopic(DEVICE, 'receipt'), deviceTopic(DEVICE, 'chatStaff')], { qos: 1 });
  caseId = 'case-chat-1';
  const open: CaseOpenMessage = {
    ...header(),
    deviceId: DEVICE,
    caseId,
    reason: 'the grinder is stuck',
    locale: 'en',
    trace: [],
    consent: { diagnostics: true, helpSession: true, at: Date.now() },
  };
  await device.publishAsync(deviceTopic(DEVICE, 'caseOpen'), JSON.stringify(open), { qos: 1 });
  await eventually(() => broker.fleet.cases.get(caseId), 'the case is stored');
  staff = await staffApi('chat-agent', 'agent');
});

afterAll(async () => {
  await device?.endAsync();
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

async function staffApi(name: string, role: 'viewer' | 'agent') {
  const { staff: member } = await broker.fleet.staff.add(name, role, name);
  const login = broker.fleet.staff.createSession(member.id);
  const base = `http://127.0.0.1:${broker.httpPort}`;
  const headers = { cookie: `tp_session=${login.token}`, [CSRF_HEADER]: login.csrfToken };
  return {
    id: member.id,
    async get(path: string): Promise<{ status: number; body: unknown }> {
      const res = await fetch(`${base}${path}`, { headers });
      return { status: res.status, body: await res.json() };
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

function message(body: ChatCustomerBody, extra: Partial<ChatCustomerMessage> = {}): ChatCustomerMessage {
  return { ...header(), deviceId: DEVICE, caseId, body, ...extra };
}

/** Publishes at QoS 1: the embedded broker acknowledges after ingest settled the message. */
async function send(m: unknown, topic = deviceTopic(DEVICE, 'chat')): Promise<void> {
  await device.publishAsync(topic, typeof m === 'string' ? m : JSON.stringify(m), { qos: 1 });
}

async function conversation(): Promise<ChatListResponse> {
  const res = await staff.get(`/api/cases/${caseId}/chat`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as ChatListResponse;
}

const texts = (items: ChatEntryView[]) => items.map((i) => ('text' in i.body ? i.body.text : i.body.kind));
const refusedCode = (id: string) =>
  eventually(() => receipts.flatMap((r) => r.refused ?? []).find((r) => r.id === id)?.code, `the receipt for ${id}`);

describe('the customer writes from the device', () => {
  it('stores messages once each, in the order sent, and receipts them', async () => {
    const sent = ['Hello?', 'The grinder makes a noise', 'and stops after two seconds'].map((text) =>
      message({ kind: 'text', text }),
    );
    for (const m of sent) await send(m);
    // The outbox sends a message again when its receipt was lost: the case keeps one copy.
    await send(sent[1]);
    const { items } = await conversation();
    expect(texts(items)).toEqual(['Hello?', 'The grinder makes a noise', 'and stops after two seconds']);
    expect(items.every((i) => i.from === 'customer' && i.readAt === null)).toBe(true);
    const receipted = await eventually(
      () => sent.every((m) => receipts.some((r) => r.ids.includes(m.id))) && receipts.flatMap((r) => r.ids),
      'receipts for every message',
    );
    expect(receipted.filter((id) => id === sent[1]!.id).length).toBeGreaterThanOrEqual(2);
  });

  it('refuses bad messages with a named code, quarantines them and stores nothing', async () => {
    const before = (await conversation()).items.length;
    const tooLong = message({ kind: 'text', text: 'x'.repeat(CHAT_TEXT_MAX + 1) });
    await send(tooLong);
    expect(await refusedCode(tooLong.id)).toBe('SCHEMA_INVALID');
    const notAnImage = message({ kind: 'image', mime: 'image/png', data: 'not base64!', consentAt: Date.now() });
    await send(notAnImage);
    expect(await refusedCode(notAnImage.id)).toBe('SCHEMA_INVALID');
    const foreignCase = message({ kind: 'text', text: 'hi' }, { caseId: 'case-of-someone-else' });
    await send(foreignCase);
    expect(await refusedCode(foreignCase.id)).toBe('NOT_FOUND');
    const otherDevice = message({ kind: 'text', text: 'hi' }, { deviceId: OTHER });
    await send(otherDevice);
    expect(await refusedCode(otherDevice.id)).toBe('WRONG_DEVICE');
    await send('{not json');
    expect((await conversation()).items.length).toBe(before);
    const quarantined = await broker.fleet.quarantine.list(20);
    expect(quarantined.filter((q) => q.topic === deviceTopic(DEVICE, 'chat')).map((q) => q.code)).toEqual(
      expect.arrayContaining(['SCHEMA_INVALID', 'NOT_FOUND', 'WRONG_DEVICE']),
    );
  });

  it('announces typing to the console without storing it', async () => {
    await send({ ...header(), deviceId: DEVICE, caseId, typing: true }, deviceTopic(DEVICE, 'chatTyping'));
    const typing = await conversation();
    expect(typing.customerTyping).toBe(true);
    await send({ ...header(), deviceId: DEVICE, caseId, typing: false }, deviceTopic(DEVICE, 'chatTyping'));
    expect((await conversation()).customerTyping).toBe(false);
    expect(texts(typing.items)).not.toContain('typing');
  });
});

describe('staff answer through the API', () => {
  it('sends text and quick replies down, takes one tap, and marks reads both ways', async () => {
    const text = await staff.post(`/api/cases/${caseId}/chat`, { body: { kind: 'text', text: 'I am on it.' } });
    expect(text.status, JSON.stringify(text.body)).toBe(201);
    const quick = await staff.post(`/api/cases/${caseId}/chat`, {
      body: {
        kind: 'quickReplies',
        text: 'Is the bean hopper empty?',
        choices: [
          { id: 'yes', label: 'Yes' },
          { id: 'no', label: 'No' },
        ],
      },
    });
    expect(quick.status, JSON.stringify(quick.body)).toBe(201);
    const quickId = (quick.body as ChatEntryView).id;
    const offered = await eventually(
      () => down.find((m) => m.kind === 'message' && m.id === quickId),
      'the quick replies reach the device',
    );
    expect(offered).toMatchObject({ caseId, from: { role: 'agent' }, body: { kind: 'quickReplies' } });
    expect(offered.kind === 'message' && offered.expiresAt! > Date.now()).toBe(true);

    const wrongChoice = message({ kind: 'answer', replyTo: quickId, choice: 'maybe' });
    await send(wrongChoice);
    expect(await refusedCode(wrongChoice.id)).toBe('SCHEMA_INVALID');
    const tap = message({ kind: 'answer', replyTo: quickId, choice: 'no' });
    await send(tap);
    const second = message({ kind: 'answer', replyTo: quickId, choice: 'yes' });
    await send(second);
    expect(await refusedCode(second.id)).toBe('CONFLICT');
    await send(message({ kind: 'read', upTo: quickId }));

    const { items } = await conversation();
    const answered = items.find((i) => i.id === quickId)!;
    expect(answered.answer?.choice).toBe('no');
    expect(items.filter((i) => i.from === 'staff').every((i) => i.readAt !== null)).toBe(true);
    const lastCustomer = items.filter((i) => i.from === 'customer').at(-1)!;
    const read = await staff.post(`/api/cases/${caseId}/chat/read`, { upTo: lastCustomer.id });
    expect(read.body).toMatchObject({ marked: expect.any(Number) });
    await eventually(
      () => down.find((m) => m.kind === 'read' && m.upTo === lastCustomer.id),
      'the read mark reaches the device',
    );
    expect((await conversation()).items.filter((i) => i.from === 'customer').every((i) => i.readAt !== null)).toBe(
      true,
    );
    const audit = (await broker.fleet.audit.list({ deviceId: DEVICE, limit: 50 })).map(
      (a) => `${a.action}:${a.outcome}`,
    );
    expect(audit).toEqual(expect.arrayContaining(['chat.send:ok', 'chat.read:ok']));
  });

  it('lets viewers read but not write, and offers canned replies per language', async () => {
    const viewer = await staffApi('chat-viewer', 'viewer');
    expect((await viewer.get(`/api/cases/${caseId}/chat`)).status).toBe(200);
    const refused = await viewer.post(`/api/cases/${caseId}/chat`, { body: { kind: 'text', text: 'hi' } });
    expect(refused.status).toBe(403);
    const de = await staff.get('/api/chat/canned?locale=de-AT');
    expect(de.body).toMatchObject({
      locale: 'de',
      items: expect.arrayContaining([expect.objectContaining({ id: 'greet' })]),
    });
    const fallback = await staff.get('/api/chat/canned?locale=fr');
    expect(fallback.body).toMatchObject({ locale: 'en' });
  });
});

describe('rate limits', () => {
  it('refuses a device that floods the chat, and a staff member who does', async () => {
    // The device's burst (30) fits an offline conversation; 60 at once cannot all fit, however slow the machine.
    const flood = Array.from({ length: 60 }, (_, i) => message({ kind: 'text', text: `flood ${i}` }));
    for (const m of flood) await send(m);
    const codes = await eventually(() => {
      const refused = receipts.flatMap((r) => r.refused ?? []).filter((r) => flood.some((m) => m.id === r.id));
      const stored = receipts.flatMap((r) => r.ids).filter((id) => flood.some((m) => m.id === id));
      return refused.length + stored.length >= flood.length && refused.map((r) => r.code);
    }, 'a receipt for every flood message');
    expect(codes.length).toBeGreaterThan(0);
    expect(new Set(codes)).toEqual(new Set(['RATE_LIMITED']));

    const statuses: number[] = [];
    for (let i = 0; i < 40 && !statuses.includes(429); i++)
      statuses.push(
        (await staff.post(`/api/cases/${caseId}/chat`, { body: { kind: 'text', text: `ping ${i}` } })).status,
      );
    expect(statuses).toContain(429);
    const audit = (await broker.fleet.audit.list({ deviceId: DEVICE, limit: 200 })).map(
      (a) => `${a.action}:${a.outcome}`,
    );
    expect(audit).toContain('chat.send:refused');
  });
});
