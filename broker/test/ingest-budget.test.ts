import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopic, type DiagnosticsMessage } from '@touchpoint/protocol';
import { DeviceBudget } from '../src/fleet/budget.js';
import { connect, diagnostics, startTestBroker, type TestBroker } from './helpers.js';

// Issue 12 #9: one device sent 2,000 valid 251 KB snapshots and took the broker from 242 MB to 914 MB.
const BYTE_BURST = 1024 * 1024;
const MESSAGE_BURST = 40;

let tb: TestBroker;
const tokens = new Map<string, string>();
const clients: mqtt.MqttClient[] = [];

function device(id: string) {
  return connect(tb.url, { clientId: id, username: id, password: tokens.get(id)! }).then((c) => (clients.push(c), c));
}
const db = () => tb.broker.fleet.db;
const rowsOf = (deviceId: string) =>
  db()
    .prepare('SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(body)), 0) AS bytes FROM diagnostics WHERE device_id = ?')
    .get(deviceId) as { n: number; bytes: number };

/** A valid snapshot of about `bytes` bytes: large `extra` values, the way a maker's hook could send them. */
function bigDiagnostics(deviceId: string, bytes: number): DiagnosticsMessage {
  const extra: Record<string, string> = {};
  for (let i = 0; i * 260 < bytes; i++) extra[`blob_${i}`] = 'x'.repeat(250);
  return diagnostics(deviceId, { extra });
}

beforeAll(async () => {
  tb = await startTestBroker({
    // Refill is negligible within a test run, so what is stored is exactly what the burst allows.
    limits: {
      deviceMessageBurst: MESSAGE_BURST,
      deviceMessagesPerSecond: 0.001,
      deviceByteBurst: BYTE_BURST,
      deviceBytesPerSecond: 1,
    },
  });
  for (const id of ['flood-1', 'quiet-1', 'chatty-1', 'odd-1', 'big-1', 'wb-1']) {
    tokens.set(
      id,
      (await tb.broker.fleet.provisionDevice(id, id.startsWith('wb-') ? 'wallbox' : 'coffee-machine')).token,
    );
  }
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
});
afterAll(async () => {
  await tb.cleanup();
});

describe('ingest budget: one device cannot exhaust the broker', () => {
  it('stores a flood of large valid snapshots only up to the byte budget, acknowledges the rest, and lets another device through', async () => {
    const flood = await device('flood-1');
    const quiet = await device('quiet-1');
    const before = tb.broker.counters.get('rejected.OVER_BUDGET');
    const sent = Array.from({ length: 60 }, () => bigDiagnostics('flood-1', 50 * 1024));
    const size = JSON.stringify(sent[0]).length;
    expect(size).toBeGreaterThan(50 * 1024);
    expect(size).toBeLessThan(64 * 1024);
    // Every publish gets its PUBACK (nothing for the outbox to retry forever) and the connection stays up.
    await Promise.all(
      sent.map((m) => flood.publishAsync(deviceTopic('flood-1', 'diagnostics'), JSON.stringify(m), { qos: 1 })),
    );
    expect(flood.connected).toBe(true);

    const stored = rowsOf('flood-1');
    expect(stored.n).toBeGreaterThan(0);
    expect(stored.n).toBeLessThanOrEqual(Math.floor(BYTE_BURST / size) + 1);
    expect(stored.bytes).toBeLessThanOrEqual(BYTE_BURST + size);
    expect(tb.broker.counters.get('rejected.OVER_BUDGET') - before).toBe(sent.length - stored.n);
    expect((await tb.broker.fleet.quarantine.list(5)).map((r) => r.code)).toContain('OVER_BUDGET');

    const msg = diagnostics('quiet-1');
    await quiet.publishAsync(deviceTopic('quiet-1', 'diagnostics'), JSON.stringify(msg), { qos: 1 });
    expect(db().prepare('SELECT COUNT(*) FROM diagnostics WHERE msg_id = ?').pluck().get(msg.id)).toBe(1);
  });

  it('limits the number of messages, whatever their kind', async () => {
    const chatty = await device('chatty-1');
    const before = tb.broker.counters.get('rejected.OVER_BUDGET');
    const sent = Array.from({ length: MESSAGE_BURST + 15 }, () => diagnostics('chatty-1'));
    for (const m of sent)
      await chatty.publishAsync(deviceTopic('chatty-1', 'diagnostics'), JSON.stringify(m), { qos: 1 });
    expect(rowsOf('chatty-1').n).toBe(MESSAGE_BURST);
    expect(tb.broker.counters.get('rejected.OVER_BUDGET') - before).toBe(15);
    // The first messages of the burst were kept, the late ones refused: the order the outbox sends in.
    const ids = new Set(
      db().prepare('SELECT msg_id FROM diagnostics WHERE device_id = ?').pluck().all('chatty-1') as string[],
    );
    expect(sent.slice(0, MESSAGE_BURST).every((m) => ids.has(m.id))).toBe(true);
  });
});

describe('ingest: profile sensor keys and record caps', () => {
  it('refuses a snapshot with a sensor its model does not declare, with UNKNOWN_SENSOR', async () => {
    const odd = await device('odd-1');
    const before = tb.broker.counters.get('rejected.UNKNOWN_SENSOR');
    const bad = diagnostics('odd-1', { mcu: { sensors: { water_tank_level: 50, made_up_sensor: 1 }, errors: [] } });
    const good = diagnostics('odd-1', { mcu: { sensors: { water_tank_level: 50, boiler_temp: 93 }, errors: [] } });
    await odd.publishAsync(deviceTopic('odd-1', 'diagnostics'), JSON.stringify(bad), { qos: 1 });
    await odd.publishAsync(deviceTopic('odd-1', 'diagnostics'), JSON.stringify(good), { qos: 1 });
    expect(tb.broker.counters.get('rejected.UNKNOWN_SENSOR')).toBe(before + 1);
    const q = (await tb.broker.fleet.quarantine.list(5)).find((r) => r.code === 'UNKNOWN_SENSOR');
    expect(q?.reason).toContain('made_up_sensor');
    expect(db().prepare('SELECT msg_id FROM diagnostics WHERE device_id = ?').pluck().all('odd-1')).toEqual([good.id]);
  });

  it("judges sensor keys by the device's own model", async () => {
    const wb = await device('wb-1');
    const coffee = diagnostics('wb-1', { mcu: { sensors: { water_tank_level: 50 }, errors: [] } });
    const wallbox = diagnostics('wb-1', { mcu: { sensors: { charger_state: 'idle', temperature: 30 }, errors: [] } });
    await wb.publishAsync(deviceTopic('wb-1', 'diagnostics'), JSON.stringify(coffee), { qos: 1 });
    await wb.publishAsync(deviceTopic('wb-1', 'diagnostics'), JSON.stringify(wallbox), { qos: 1 });
    expect(db().prepare('SELECT msg_id FROM diagnostics WHERE device_id = ?').pluck().all('wb-1')).toEqual([
      wallbox.id,
    ]);
  });

  it('refuses a record over its cap with PAYLOAD_TOO_LARGE, well below the packet limit', async () => {
    const big = await device('big-1');
    const before = tb.broker.counters.get('rejected.PAYLOAD_TOO_LARGE');
    // The review's shape: thousands of sensor keys make a valid 100 KB snapshot; the cap refuses it before parsing.
    const sensors: Record<string, number> = {};
    for (let i = 0; i < 8_000; i++) sensors[`s${i}`] = i;
    const huge = JSON.stringify(diagnostics('big-1', { mcu: { sensors, errors: [] } }));
    expect(huge.length).toBeGreaterThan(64 * 1024);
    expect(huge.length).toBeLessThan(256 * 1024);
    await big.publishAsync(deviceTopic('big-1', 'diagnostics'), huge, { qos: 1 });
    const event = JSON.stringify({
      v: 1,
      id: 'evt-huge-1',
      ts: Date.now(),
      deviceId: 'big-1',
      event: { type: 'error.raised', code: 'E05' },
      pad: 'x'.repeat(9_000),
    });
    await big.publishAsync(deviceTopic('big-1', 'events'), event, { qos: 1 });
    expect(tb.broker.counters.get('rejected.PAYLOAD_TOO_LARGE')).toBe(before + 2);
    expect(rowsOf('big-1').n).toBe(0);
    expect(db().prepare('SELECT COUNT(*) FROM events WHERE device_id = ?').pluck().get('big-1')).toBe(0);
  });
});

describe('DeviceBudget', () => {
  it('refills at its rate, never beyond its burst, and keeps devices apart', () => {
    const budget = new DeviceBudget({ messagesPerSecond: 2, messageBurst: 3, bytesPerSecond: 1_000, byteBurst: 5_000 });
    const t0 = 1_000_000;
    expect([1, 2, 3, 4].map(() => budget.spend('a', 10, t0))).toEqual([null, null, null, 'messages']);
    expect(budget.spend('b', 10, t0)).toBeNull();
    expect(budget.spend('a', 10, t0 + 499)).toBe('messages');
    expect(budget.spend('a', 10, t0 + 500)).toBeNull();
    // An hour later the bucket holds its burst, not 7,200 messages.
    const later = t0 + 3_600_000;
    expect([1, 2, 3, 4].map(() => budget.spend('a', 10, later))).toEqual([null, null, null, 'messages']);
    // Bytes: a message that does not fit is refused and does not spend a message.
    expect(budget.spend('c', 6_000, t0)).toBe('bytes');
    expect(budget.spend('c', 5_000, t0)).toBeNull();
    expect(budget.spend('c', 1, t0)).toBe('bytes');
    expect(budget.spend('c', 1_000, t0 + 1_000)).toBeNull();
  });
});
