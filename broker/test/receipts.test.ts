import type mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ErrorCode,
  decode,
  deviceTopic,
  header,
  receiptMessage,
  type DeviceEventMessage,
  type ReceiptMessage,
} from '@touchpoint/protocol';
import { connect, diagnostics, eventually, startTestBroker, type TestBroker } from './helpers.js';

// Issue 15, "End-to-end receipts": what the fleet tells a device once ingest has settled its reports.
let tb: TestBroker;
const tokens = new Map<string, string>();
const clients: mqtt.MqttClient[] = [];

function device(id: string) {
  return connect(tb.url, { clientId: id, username: id, password: tokens.get(id)!, clean: true }).then(
    (c) => (clients.push(c), c),
  );
}

/** A device connection that records every receipt it hears, validated with the protocol schema. */
async function receiptListener(id: string): Promise<{ client: mqtt.MqttClient; receipts: ReceiptMessage[] }> {
  const client = await device(id);
  const receipts: ReceiptMessage[] = [];
  client.on('message', (topic, payload) => {
    if (topic !== deviceTopic(id, 'receipt')) return;
    const decoded = decode(receiptMessage, payload);
    if (!decoded.ok) throw new Error(`receipt does not match its schema: ${decoded.reason}`);
    receipts.push(decoded.value);
  });
  const [granted] = await client.subscribeAsync(deviceTopic(id, 'receipt'), { qos: 0 });
  expect(granted?.qos).toBe(0);
  return { client, receipts };
}

const idsIn = (receipts: ReceiptMessage[]) => receipts.flatMap((r) => r.ids);
const storedCount = (table: 'diagnostics' | 'events', msgId: string) =>
  tb.broker.fleet.db.prepare(`SELECT COUNT(*) FROM ${table} WHERE msg_id = ?`).pluck().get(msgId) as number;

function event(deviceId: string): DeviceEventMessage {
  return { ...header(), deviceId, event: { type: 'error.raised', code: 'E03' } };
}

beforeAll(async () => {
  tb = await startTestBroker();
  for (const id of ['rc-1', 'rc-2', 'rc-3', 'rc-4', 'rc-5'])
    tokens.set(id, (await tb.broker.fleet.provisionDevice(id, 'coffee-machine')).token);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
});
afterAll(async () => {
  await tb.cleanup();
});

describe('receipts from the fleet (real aedes broker and fleet, real MQTT.js device clients)', () => {
  it('acknowledges a burst of reports in a few receipts that name every id once it is stored', async () => {
    const { client, receipts } = await receiptListener('rc-1');
    const burst = Array.from({ length: 60 }, () => diagnostics('rc-1'));
    const sentBefore = tb.broker.fleet.receipts.sent;
    const published = [
      ...burst.map((m) => client.publishAsync(deviceTopic('rc-1', 'diagnostics'), JSON.stringify(m), { qos: 1 })),
      client.publishAsync(deviceTopic('rc-1', 'events'), JSON.stringify(event('rc-1')), { qos: 1 }),
    ];
    await Promise.all(published);
    const expected = burst.map((m) => m.id);
    await eventually(() => expected.every((id) => idsIn(receipts).includes(id)), 5_000, 'receipts for all 60 ids');
    // Every id a receipt names is in the store: the receipt follows the commit.
    for (const id of idsIn(receipts)) expect(storedCount('diagnostics', id) + storedCount('events', id)).toBe(1);
    await eventually(() => idsIn(receipts).length === 61, 5_000, 'the receipt for the event');
    // Batched: one receipt per ingest group, not one per report.
    expect(receipts.length).toBeLessThan(61 / 2);
    expect(tb.broker.fleet.receipts.sent - sentBefore).toBe(receipts.length);
    expect(receipts.every((r) => r.refused === undefined)).toBe(true);
  });

  it('receipts a re-sent report again, and stores it once', async () => {
    const { client, receipts } = await receiptListener('rc-2');
    const report = diagnostics('rc-2');
    const duplicatesBefore = tb.broker.counters.get('ingest.duplicate');
    await client.publishAsync(deviceTopic('rc-2', 'diagnostics'), JSON.stringify(report), { qos: 1 });
    await eventually(() => receipts.length === 1, 5_000, 'the first receipt');
    await client.publishAsync(deviceTopic('rc-2', 'diagnostics'), JSON.stringify(report), { qos: 1 });
    await eventually(() => receipts.length === 2, 5_000, 'the receipt for the re-send');
    expect(idsIn(receipts)).toEqual([report.id, report.id]);
    expect(storedCount('diagnostics', report.id)).toBe(1);
    expect(tb.broker.counters.get('ingest.duplicate')).toBe(duplicatesBefore + 1);
  });

  it('names a report refused for good with its code, and gives presence no receipt', async () => {
    const { client, receipts } = await receiptListener('rc-3');
    const unknownSensor = diagnostics('rc-3', { mcu: { sensors: { no_such_sensor: 1 }, errors: [] } });
    await client.publishAsync(
      deviceTopic('rc-3', 'presence'),
      JSON.stringify({ ...header(), deviceId: 'rc-3', state: 'online', connectionId: 'c-1' }),
      { qos: 1 },
    );
    await client.publishAsync(deviceTopic('rc-3', 'diagnostics'), JSON.stringify(unknownSensor), { qos: 1 });
    const good = event('rc-3');
    await client.publishAsync(deviceTopic('rc-3', 'events'), JSON.stringify(good), { qos: 1 });
    await eventually(() => idsIn(receipts).includes(good.id), 5_000, 'the receipt for the event');
    expect(receipts.flatMap((r) => r.refused ?? [])).toEqual([
      { id: unknownSensor.id, code: ErrorCode.UNKNOWN_SENSOR },
    ]);
    expect(idsIn(receipts)).toEqual([good.id]);
    expect(storedCount('diagnostics', unknownSensor.id)).toBe(0);
  });

  it('lets a device subscribe to its own receipts only, and publish on no receipt topic', async () => {
    const own = await device('rc-4');
    const refused = await own.subscribeAsync(deviceTopic('rc-5', 'receipt'), { qos: 0 }).then(
      (granted) => granted.map((g) => g.qos),
      (err: { packet?: { granted: number[] } }) => err.packet?.granted,
    );
    expect(refused).toEqual([128]);
    const closed = new Promise<void>((resolve) => own.once('close', () => resolve()));
    own.publish(deviceTopic('rc-4', 'receipt'), JSON.stringify({ ...header(), ids: ['forged-id-1'] }), { qos: 1 });
    await closed; // [MQTT-3.3.5-2]: a device's publish outside its rights closes its connection
    expect(tb.broker.counters.get('acl.publish.refused')).toBeGreaterThanOrEqual(1);
  });

  it('never delivers receipts to an integration, even under a wildcard it was granted', async () => {
    const { token } = await tb.broker.fleet.integrations.add('lake', { subscribe: ['tp/v1/d/+/#'] }, 'test');
    const lake = await connect(tb.url, { clientId: 'lake-1', username: 'lake', password: token });
    clients.push(lake);
    const exact = await lake.subscribeAsync('tp/v1/d/+/rcpt', { qos: 0 }).then(
      (granted) => granted.map((g) => g.qos),
      (err: { packet?: { granted: number[] } }) => err.packet?.granted,
    );
    expect(exact).toEqual([128]);
    await lake.subscribeAsync('tp/v1/d/+/#', { qos: 1 });
    const topics: string[] = [];
    lake.on('message', (topic) => topics.push(topic));
    const { client, receipts } = await receiptListener('rc-5');
    const report = event('rc-5');
    await client.publishAsync(deviceTopic('rc-5', 'events'), JSON.stringify(report), { qos: 1 });
    await eventually(() => receipts.length === 1, 5_000, "the device's receipt");
    // The integration got the report itself; a later report shows the receipt in between was withheld.
    const later = event('rc-5');
    await client.publishAsync(deviceTopic('rc-5', 'events'), JSON.stringify(later), { qos: 1 });
    await eventually(
      () => topics.filter((t) => t === deviceTopic('rc-5', 'events')).length === 2,
      5_000,
      'both events at the integration',
    );
    expect(topics).not.toContain(deviceTopic('rc-5', 'receipt'));
  });
});
