import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopic, header } from '@touchpoint/protocol';
import { connect, diagnostics, eventually, startTestBroker, type TestBroker } from './helpers.js';

// Issue 15: competing fleet workers take consecutive messages of one device from one queue, so a device's
// reports can be stored out of the order it made them (test/cluster/both-modes.test.ts saw it). Its error
// list must still be what the device's clock says is newest. Here one device sends, in order, reports
// stamped as if they had been overtaken: each older one arrives after a newer one.

let tb: TestBroker;
let client: MqttClient;
const DEVICE = 'cm-order';
const base = Date.now() - 60_000;
const errorsOf = async () => (await tb.broker.fleet.devices.get(DEVICE))!.errors;

async function event(ts: number, type: 'error.raised' | 'error.cleared', code: string): Promise<string> {
  const h = { ...header(), ts };
  await client.publishAsync(
    deviceTopic(DEVICE, 'events'),
    JSON.stringify({ ...h, deviceId: DEVICE, event: { type, code } }),
    {
      qos: 1,
    },
  );
  return h.id;
}

async function snapshot(ts: number, errors: string[]): Promise<void> {
  const d = diagnostics(DEVICE, { ...header(), ts });
  await client.publishAsync(deviceTopic(DEVICE, 'diagnostics'), JSON.stringify({ ...d, mcu: { ...d.mcu, errors } }), {
    qos: 1,
  });
}

/** Stored rows of the device (a QoS 1 PUBACK means stored), so each step is checked after it landed. */
const storedEvents = () =>
  tb.broker.fleet.db.prepare('SELECT COUNT(*) FROM events WHERE device_id = ?').pluck().get(DEVICE) as number;

beforeAll(async () => {
  tb = await startTestBroker();
  const { token } = await tb.broker.fleet.provisionDevice(DEVICE, 'coffee-machine');
  client = await connect(tb.url, { clientId: DEVICE, username: DEVICE, password: token });
});
afterAll(async () => {
  await client.endAsync(true);
  await tb.cleanup();
});

describe("a device's error list follows the device's clock, whatever order its reports are stored in", () => {
  it('an older snapshot stored after a newer one leaves the newer list', async () => {
    await snapshot(base + 5_000, ['E05']);
    await eventually(async () => (await errorsOf()).includes('E05'), 5_000, 'the newer snapshot applied');
    await snapshot(base + 3_000, []);
    expect(await errorsOf()).toEqual(['E05']);
  });

  it('an older clear stored after a newer raise of the same code leaves it raised', async () => {
    await event(base + 10_000, 'error.raised', 'E03');
    await event(base + 9_000, 'error.cleared', 'E03');
    await eventually(() => storedEvents() === 2, 5_000, 'both events stored');
    expect(await errorsOf()).toContain('E03');
  });

  it('an older snapshot stored after a newer error event does not drop that error', async () => {
    await event(base + 20_000, 'error.raised', 'E07');
    await snapshot(base + 18_000, ['E05']);
    expect(await errorsOf()).toContain('E07');
  });

  it('events of different codes apply whatever their order; an event older than the newest snapshot does not', async () => {
    await event(base + 30_000, 'error.cleared', 'E07');
    await event(base + 25_000, 'error.raised', 'E01');
    expect(await errorsOf()).toContain('E01');
    expect(await errorsOf()).not.toContain('E07');
    await snapshot(base + 40_000, ['E02']);
    await eventually(async () => (await errorsOf()).join() === 'E02', 5_000, 'the newest snapshot applied');
    await event(base + 35_000, 'error.raised', 'E09');
    expect(await errorsOf()).toEqual(['E02']);
  });
});
