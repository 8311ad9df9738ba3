import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  deviceTopic,
  header,
  type CommandResultMessage,
  type DeviceEventMessage,
  type HelpTraceEntry,
} from '@touchpoint/protocol';
import { connect, startTestBroker, type TestBroker } from './helpers.js';

// Issue 12, Low: terminal command states are final, and help-session rows are bound to their device.
let tb: TestBroker;
const tokens = new Map<string, string>();
const clients: mqtt.MqttClient[] = [];

function device(id: string) {
  return connect(tb.url, { clientId: id, username: id, password: tokens.get(id)! }).then((c) => (clients.push(c), c));
}

beforeAll(async () => {
  tb = await startTestBroker();
  for (const id of ['wb-1', 'cm-victim', 'cm-mallory'])
    tokens.set(
      id,
      (await tb.broker.fleet.provisionDevice(id, id.startsWith('wb-') ? 'wallbox' : 'coffee-machine')).token,
    );
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
});
afterAll(async () => {
  await tb.cleanup();
});

describe('command results: a finished command stays finished', () => {
  it('keeps `succeeded` when a replayed `rejected` (and a late `accepted`) arrive, and records both in the history', async () => {
    const { staff } = await tb.broker.fleet.staff.add('agent-1', 'agent');
    const sent = await tb.broker.fleet.commands.send({
      deviceId: 'wb-1',
      action: 'set_max_current',
      params: { amps: 16 },
      staff,
    });
    const wb = await device('wb-1');
    const announced: string[] = [];
    tb.broker.fleet.live.on('command', (e) => {
      if (e.commandId === sent.id) announced.push(e.status);
    });
    const result = (status: CommandResultMessage['status'], extra: Partial<CommandResultMessage> = {}): string =>
      JSON.stringify({
        ...header(),
        deviceId: 'wb-1',
        commandId: sent.id,
        status,
        ...extra,
      } satisfies CommandResultMessage);
    const topic = deviceTopic('wb-1', 'commandResult');
    await wb.publishAsync(topic, result('succeeded'), { qos: 1 });
    expect(tb.broker.fleet.commands.get(sent.id)?.status).toBe('succeeded');

    await wb.publishAsync(topic, result('rejected', { code: 'REPLAY', reason: 'command id seen before' }), { qos: 1 });
    await wb.publishAsync(topic, result('accepted'), { qos: 1 });
    const after = tb.broker.fleet.commands.get(sent.id)!;
    expect(after.status).toBe('succeeded');
    expect(after.history.map((h) => h.status)).toEqual(['queued', 'delivered', 'succeeded', 'rejected', 'accepted']);
    expect(after.history.find((h) => h.status === 'rejected')).toMatchObject({
      code: 'REPLAY',
      reason: 'command id seen before',
    });
    // The console hears of the change to succeeded, never of a flip back.
    expect(announced).toEqual(['succeeded']);
  });
});

describe('help sessions: bound to the device that started them', () => {
  const help = (deviceId: string, sessionId: string, entry: HelpTraceEntry): string =>
    JSON.stringify({
      ...header(),
      deviceId,
      event: { type: 'help', sessionId, flowId: 'no-water', entry },
    } satisfies DeviceEventMessage);
  const row = (id: string) =>
    tb.broker.fleet.db
      .prepare('SELECT device_id, current_step, outcome, ces, helped FROM help_sessions WHERE id = ?')
      .get(id);

  it('ignores help events another device sends with its session id', async () => {
    const victim = await device('cm-victim');
    const mallory = await device('cm-mallory');
    const sessionId = 'hs-victim-1';
    const at = Date.now();
    const victimTopic = deviceTopic('cm-victim', 'events');
    await victim.publishAsync(
      victimTopic,
      help('cm-victim', sessionId, {
        kind: 'start',
        at,
        flowId: 'no-water',
        flowVersion: '1.0.0',
        trigger: 'menu',
        locale: 'en',
      }),
      { qos: 1 },
    );
    await victim.publishAsync(
      victimTopic,
      help('cm-victim', sessionId, { kind: 'step', at: at + 1, stepId: 'fill-tank', stepType: 'info' }),
      { qos: 1 },
    );
    const before = row(sessionId);
    expect(before).toMatchObject({ device_id: 'cm-victim', current_step: 'fill-tank', outcome: null, ces: null });

    const refusedBefore = tb.broker.counters.get('rejected.WRONG_DEVICE');
    const malloryTopic = deviceTopic('cm-mallory', 'events');
    const forged: HelpTraceEntry[] = [
      { kind: 'step', at: at + 2, stepId: 'forged-step', stepType: 'info' },
      { kind: 'outcome', at: at + 3, outcome: 'resolved', msTotal: 5 },
      { kind: 'rating', at: at + 4, ces: 7, helped: true },
    ];
    for (const entry of forged)
      await mallory.publishAsync(malloryTopic, help('cm-mallory', sessionId, entry), { qos: 1 });

    expect(row(sessionId)).toEqual(before);
    expect(tb.broker.counters.get('rejected.WRONG_DEVICE')).toBe(refusedBefore + forged.length);
    // Nor do the forged entries join the session's trace (the KPIs join events to sessions by id).
    expect(tb.broker.fleet.db.prepare('SELECT COUNT(*) FROM events WHERE session_id = ?').pluck().get(sessionId)).toBe(
      2,
    );

    // The owner still moves its own session on.
    await victim.publishAsync(
      victimTopic,
      help('cm-victim', sessionId, { kind: 'outcome', at: at + 5, outcome: 'resolved', msTotal: 5 }),
      { qos: 1 },
    );
    expect(row(sessionId)).toMatchObject({ device_id: 'cm-victim', outcome: 'resolved' });
  });
});
