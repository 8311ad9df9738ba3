import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  caseStatusMessage,
  commandEnvelope,
  deviceTopic,
  header,
  newId,
  type CaseOpenMessage,
  type CaseStatusMessage,
  type CommandResultMessage,
  type PresenceMessage,
} from '@touchpoint/protocol';
import type { ResyncReport } from '../src/fleet/online-resync.js';
import type { StaffMember } from '../src/fleet/staff.js';
import { connect, eventually, startTestBroker, type TestBroker } from './helpers.js';

/**
 * Issue 15: presence, case status and pending commands do not depend on
 * retained messages or on the engine keeping a session. Every device here
 * connects with a clean session (what a device gets when the engine node that
 * held its session is gone), and nothing the fleet sends is retained: what
 * arrives was sent because the fleet saw the device's birth.
 */
let tb: TestBroker;
let staff: StaffMember;
const tokens = new Map<string, string>();
const clients: MqttClient[] = [];

interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

/** A device on a clean session: subscribes to what the fleet sends down, then (after the SUBACK) its birth. */
async function comeOnline(
  deviceId: string,
): Promise<{ client: MqttClient; received: Received[]; connectionId: string }> {
  const connectionId = newId();
  const will: PresenceMessage = { ...header(), deviceId, state: 'offline', connectionId };
  const client = await connect(tb.url, {
    clientId: deviceId,
    username: deviceId,
    password: tokens.get(deviceId)!,
    clean: true,
    will: {
      topic: deviceTopic(deviceId, 'presence'),
      payload: Buffer.from(JSON.stringify(will)),
      qos: 1,
      retain: false,
    },
  });
  clients.push(client);
  const received: Received[] = [];
  client.on('message', (topic, payload, packet) =>
    received.push({ topic, payload: payload.toString(), retain: packet.retain }),
  );
  await client.subscribeAsync([deviceTopic(deviceId, 'command'), deviceTopic(deviceId, 'caseStatus')], { qos: 1 });
  const birth: PresenceMessage = { ...header(), deviceId, state: 'online', connectionId };
  await client.publishAsync(deviceTopic(deviceId, 'presence'), JSON.stringify(birth), { qos: 1 });
  return { client, received, connectionId };
}

const commandsIn = (received: Received[], deviceId: string) =>
  received
    .filter((m) => m.topic === deviceTopic(deviceId, 'command'))
    .map((m) => commandEnvelope.parse(JSON.parse(m.payload)).id);

const statusesIn = (received: Received[], deviceId: string): CaseStatusMessage[] =>
  received
    .filter((m) => m.topic === deviceTopic(deviceId, 'caseStatus'))
    .map((m) => caseStatusMessage.parse(JSON.parse(m.payload)));

function sendGrind(deviceId: string, size: number, opts: { ttlMs?: number; now?: number } = {}) {
  return tb.broker.fleet.commands.send(
    { deviceId, action: 'set_grind_size', params: { size }, staff, ttlMs: opts.ttlMs ?? 60_000 },
    opts.now,
  );
}

beforeAll(async () => {
  // The periodic expiry sweep is off (an hour): only the resync on birth can mark a command expired here.
  tb = await startTestBroker({ expirySweepMs: 3_600_000 });
  for (const id of ['cm-rs-cmd', 'cm-rs-exp', 'cm-rs-case', 'cm-rs-pres', 'cm-rs-twice'])
    tokens.set(id, (await tb.broker.fleet.provisionDevice(id, 'coffee-machine')).token);
  staff = (await tb.broker.fleet.staff.add('resync-agent', 'agent', 'Rita Resync')).staff;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
});
afterAll(async () => {
  await tb.cleanup();
});

describe('pending commands are sent again on a birth (issue 15)', () => {
  it('delivers a command queued while the device was offline when it comes back, on a clean session with nothing retained', async () => {
    const first = await comeOnline('cm-rs-cmd');
    await first.client.endAsync();
    await eventually(async () => !(await tb.broker.fleet.devices.get('cm-rs-cmd'))?.online, 5_000, 'cm-rs-cmd offline');

    const a = await sendGrind('cm-rs-cmd', 7);
    const b = await sendGrind('cm-rs-cmd', 9);
    expect(tb.broker.fleet.commands.get(a.id)?.status).toBe('queued');

    const back = await comeOnline('cm-rs-cmd');
    await eventually(() => commandsIn(back.received, 'cm-rs-cmd').length === 2, 5_000, 'both commands resent');
    // In the order staff sent them, each once, none of them retained.
    expect(commandsIn(back.received, 'cm-rs-cmd')).toEqual([a.id, b.id]);
    expect(back.received.every((m) => !m.retain)).toBe(true);
    // Once the device answers (as the agent does before running one), the next birth sends them no more.
    for (const commandId of [a.id, b.id]) {
      const accepted: CommandResultMessage = { ...header(), deviceId: 'cm-rs-cmd', commandId, status: 'accepted' };
      await back.client.publishAsync(deviceTopic('cm-rs-cmd', 'commandResult'), JSON.stringify(accepted), { qos: 1 });
    }
    expect((await tb.broker.fleet.resync.resync('cm-rs-cmd')).commands).toEqual([]);
  });

  it('does not send an expired command and marks it expired, while a live one behind it arrives', async () => {
    const stale = await sendGrind('cm-rs-exp', 3, { ttlMs: 1_000, now: Date.now() - 60_000 });
    const fresh = await sendGrind('cm-rs-exp', 4);
    expect(tb.broker.fleet.commands.get(stale.id)?.status).toBe('queued');

    const device = await comeOnline('cm-rs-exp');
    // Commands go out oldest first, so had the stale one been sent it would have arrived before this one.
    await eventually(() => commandsIn(device.received, 'cm-rs-exp').includes(fresh.id), 5_000, 'the live command');
    expect(commandsIn(device.received, 'cm-rs-exp')).toEqual([fresh.id]);
    const expired = tb.broker.fleet.commands.get(stale.id)!;
    expect(expired.status).toBe('expired');
    expect(expired.history.map((h) => h.status)).toEqual(['queued', 'expired']);
  });

  it('leaves out a command the embedded broker still holds in the device session, so it arrives once', async () => {
    const deviceId = 'cm-rs-session';
    tokens.set(deviceId, (await tb.broker.fleet.provisionDevice(deviceId, 'coffee-machine')).token);
    const options = { clientId: deviceId, username: deviceId, password: tokens.get(deviceId)!, clean: false };
    const first = await connect(tb.url, options);
    await first.subscribeAsync(deviceTopic(deviceId, 'command'), { qos: 1 });
    await first.endAsync();
    await eventually(async () => !(await tb.broker.fleet.devices.get(deviceId))?.online, 5_000, `${deviceId} offline`);
    const sent = await sendGrind(deviceId, 6);

    // The resync the birth starts, caught so the test can wait for it to finish.
    const resyncs: Promise<ResyncReport>[] = [];
    const resync = tb.broker.fleet.resync.resync.bind(tb.broker.fleet.resync);
    tb.broker.fleet.resync.resync = (id, now) => {
      const report = resync(id, now);
      if (id === deviceId) resyncs.push(report);
      return report;
    };
    try {
      // The handler is in place before CONNACK: aedes delivers the session's messages right after it.
      const client = mqtt.connect(tb.url, { ...options, reconnectPeriod: 0 });
      clients.push(client);
      const received: string[] = [];
      client.on('message', (_topic, payload) =>
        received.push(commandEnvelope.parse(JSON.parse(payload.toString())).id),
      );
      await new Promise((resolve, reject) => {
        client.once('connect', resolve);
        client.once('error', reject);
      });
      const birth: PresenceMessage = { ...header(), deviceId, state: 'online', connectionId: newId() };
      await client.publishAsync(deviceTopic(deviceId, 'presence'), JSON.stringify(birth), { qos: 1 });
      const report = await eventually(() => resyncs[0], 5_000, 'the birth resync');
      expect((await report).commands).toEqual([]);
      await eventually(() => received.length > 0, 5_000, 'the command from the session');
      expect(received).toEqual([sent.id]);
    } finally {
      tb.broker.fleet.resync.resync = resync;
    }
  });

  it('keeps the first outcome when the device answers a second delivery with REPLAY', async () => {
    const sent = await sendGrind('cm-rs-twice', 5);
    const device = await comeOnline('cm-rs-twice');
    await eventually(() => commandsIn(device.received, 'cm-rs-twice').length === 1, 5_000, 'the command');
    const topic = deviceTopic('cm-rs-twice', 'commandResult');
    const result = (status: CommandResultMessage['status'], extra: Partial<CommandResultMessage> = {}) =>
      JSON.stringify({
        ...header(),
        deviceId: 'cm-rs-twice',
        commandId: sent.id,
        status,
        ...extra,
      } satisfies CommandResultMessage);
    await device.client.publishAsync(topic, result('accepted'), { qos: 1 });
    expect(tb.broker.fleet.commands.get(sent.id)?.status).toBe('accepted');
    // A second delivery (from the device's session and from the resync) while the first still runs: the agent
    // says REPLAY; the command is still running, not rejected.
    await device.client.publishAsync(
      topic,
      result('rejected', { code: 'REPLAY', reason: `command ${sent.id} was already received` }),
      { qos: 1 },
    );
    expect(tb.broker.fleet.commands.get(sent.id)?.status).toBe('accepted');
    await device.client.publishAsync(topic, result('succeeded'), { qos: 1 });
    const done = tb.broker.fleet.commands.get(sent.id)!;
    expect(done.status).toBe('succeeded');
    expect(done.history.map((h) => h.status)).toEqual(['queued', 'delivered', 'accepted', 'rejected', 'succeeded']);
  });
});

describe('case status is sent again on a birth (issue 15)', () => {
  it('brings a status changed while the device was offline to it when it comes back, not retained', async () => {
    const deviceId = 'cm-rs-case';
    const device = await comeOnline(deviceId);
    const open: CaseOpenMessage = {
      ...header(),
      deviceId,
      caseId: 'case-rs-1',
      reason: 'descale_failed',
      locale: 'en',
      trace: [],
      consent: { diagnostics: true, helpSession: true, at: Date.now() },
    };
    await device.client.publishAsync(deviceTopic(deviceId, 'caseOpen'), JSON.stringify(open), { qos: 1 });
    expect(tb.broker.fleet.cases.get('case-rs-1')?.status).toBe('open');
    await device.client.endAsync();
    await eventually(async () => !(await tb.broker.fleet.devices.get(deviceId))?.online, 5_000, `${deviceId} offline`);

    await tb.broker.fleet.cases.update('case-rs-1', { status: 'claimed' }, staff);
    const back = await comeOnline(deviceId);
    const claimed = await eventually(() => statusesIn(back.received, deviceId)[0], 5_000, 'the claimed status');
    expect(claimed).toMatchObject({ caseId: 'case-rs-1', status: 'claimed', agentName: 'Rita Resync' });
    expect(back.received.every((m) => !m.retain)).toBe(true);
    await back.client.endAsync();
    await eventually(
      async () => !(await tb.broker.fleet.devices.get(deviceId))?.online,
      5_000,
      `${deviceId} offline again`,
    );

    await tb.broker.fleet.cases.update('case-rs-1', { status: 'resolved' }, staff);
    const again = await comeOnline(deviceId);
    const resolved = await eventually(() => statusesIn(again.received, deviceId)[0], 5_000, 'the resolved status');
    expect(resolved).toMatchObject({ caseId: 'case-rs-1', status: 'resolved' });
    expect(statusesIn(again.received, deviceId)).toHaveLength(1);
  });
});

describe('presence comes from the stream (issue 15)', () => {
  it('follows the birth, ignores a refreshed birth, and the will marks the device offline', async () => {
    const deviceId = 'cm-rs-pres';
    const births: string[] = [];
    const onBirth = (e: { deviceId: string; connectionId: string }) => {
      if (e.deviceId === deviceId) births.push(e.connectionId);
    };
    tb.broker.fleet.live.on('birth', onBirth);
    try {
      const device = await comeOnline(deviceId);
      expect(await tb.broker.fleet.devices.get(deviceId)).toMatchObject({
        online: true,
        connectionId: device.connectionId,
      });
      expect(births).toEqual([device.connectionId]);

      // The same connection's presence again (a firmware version learned later) is no new birth: nothing is resent.
      const refresh: PresenceMessage = { ...header(), deviceId, state: 'online', connectionId: device.connectionId };
      await device.client.publishAsync(deviceTopic(deviceId, 'presence'), JSON.stringify(refresh), { qos: 1 });
      expect(births).toEqual([device.connectionId]);

      // The network dies: aedes publishes the will, which is not retained, and the fleet marks the device offline.
      (device.client.stream as unknown as { destroy(): void }).destroy();
      await eventually(
        async () => !(await tb.broker.fleet.devices.get(deviceId))?.online,
        10_000,
        'offline from the will',
      );
      const rows = tb.broker.fleet.db
        .prepare('SELECT state, connection_id FROM presence_history WHERE device_id = ? ORDER BY rowid')
        .all(deviceId);
      expect(rows).toEqual([
        { state: 'online', connection_id: device.connectionId },
        { state: 'online', connection_id: device.connectionId },
        { state: 'offline', connection_id: device.connectionId },
      ]);
    } finally {
      tb.broker.fleet.live.off('birth', onBirth);
    }
  });
});
