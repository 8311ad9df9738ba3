import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker, StaffMember } from '@touchpoint/broker';
import {
  commandResultMessage,
  deviceTopic,
  header,
  type CommandEnvelope,
  type CommandResultMessage,
  type UnsignedCommand,
} from '@touchpoint/protocol';
import { generateSignerKey, signCommand, type SignerKey } from '@touchpoint/protocol/signing';
import {
  type AgentProcess,
  commandAgentConfig,
  fleetSigningKey,
  Harness,
  spawnAgentOnline,
  waitFor,
} from './harness.js';

const DEVICE = 'cm-cmd';

/**
 * The command checks end to end: the real broker and fleet service, the agent
 * as a process, the virtual coffee machine behind a socat pty. Commands the
 * fleet refuses to sign (unknown action, bad params...) are forged with the
 * fleet's own key and published by a service client, the strongest attacker
 * short of the device itself.
 */
describe('agent command checks (real broker, virtual MCU over a pty, agent process)', () => {
  const h = new Harness();
  let broker: RunningBroker;
  let brokerDir: string;
  let configPath: string;
  let mcu: Awaited<ReturnType<Harness['mcu']>>;
  let agent: AgentProcess;
  let service: MqttClient;
  let fleetKey: SignerKey;
  let staff: StaffMember;
  const results: CommandResultMessage[] = [];

  beforeAll(async () => {
    brokerDir = await h.tempDir('tp-broker-');
    broker = await h.broker(brokerDir);
    mcu = await h.mcu();
    const { token } = await broker.fleet.provisionDevice(DEVICE, 'coffee-machine');
    staff = (await broker.fleet.staff.add('support1', 'agent')).staff;
    fleetKey = await fleetSigningKey(brokerDir);
    ({ configPath } = await commandAgentConfig(h, broker, { id: DEVICE, token, devicePath: mcu.devicePath }));
    service = await h.service(broker);
    // Results for commands the fleet never issued are acknowledged but diverted; read both.
    service.on('message', (_topic, payload) => {
      const parsed = commandResultMessage.safeParse(JSON.parse(payload.toString()));
      if (parsed.success) results.push(parsed.data);
    });
    await service.subscribeAsync(
      [deviceTopic(DEVICE, 'commandResult'), `$touchpoint/diverted/${deviceTopic(DEVICE, 'commandResult')}`],
      { qos: 1 },
    );
    agent = await startAgent();
  }, 60_000);
  afterAll(() => h.cleanup());

  const startAgent = (): Promise<AgentProcess> => spawnAgentOnline(h, broker, DEVICE, configPath);

  function forge(fields: Partial<UnsignedCommand>, key: SignerKey = fleetKey): CommandEnvelope {
    const now = Date.now();
    return signCommand(
      {
        ...header(now),
        deviceId: DEVICE,
        action: 'set_grind_size',
        params: { size: 8 },
        issuedAt: now,
        expiresAt: now + 60_000,
        issuedBy: staff.id,
        keyId: key.keyId,
        ...fields,
      },
      key,
    );
  }

  async function publish(envelope: object): Promise<void> {
    await service.publishAsync(deviceTopic(DEVICE, 'command'), JSON.stringify(envelope), { qos: 1 });
  }

  const outcomes = (commandId: string) => results.filter((r) => r.commandId === commandId);
  const finalOutcome = (commandId: string) =>
    waitFor(() => outcomes(commandId).find((r) => r.status !== 'accepted'), `an outcome for ${commandId}`);

  it('runs a valid command on the virtual MCU, the state changes, and succeeded is stored with the command', async () => {
    expect(mcu.mcu.sensors.get('grind_size')).toBe(5);
    const sent = await broker.fleet.commands.send({
      deviceId: DEVICE,
      action: 'set_grind_size',
      params: { size: 8 },
      staff,
      ttlMs: 60_000,
    });
    const record = await waitFor(() => {
      const r = broker.fleet.commands.get(sent.id);
      return r?.status === 'succeeded' ? r : undefined;
    }, 'succeeded stored with the command');
    expect(record.history.map((x) => x.status)).toEqual(expect.arrayContaining(['queued', 'accepted', 'succeeded']));
    expect(mcu.mcu.sensors.get('grind_size')).toBe(8);
    expect(mcu.actionRequests()).toBe(1);
  });

  it('rejects each bad command with its own code and runs nothing on the MCU', async () => {
    const before = mcu.actionRequests();
    const grind = mcu.mcu.sensors.get('grind_size');
    const rogue = generateSignerKey('rogue');
    const genuine = forge({ params: { size: 2 } });
    const cases: [string, object, string, string][] = [
      ['bad signature', { ...genuine, params: { size: 3 } }, 'rejected', 'BAD_SIGNATURE'],
      ['untrusted key', forge({}, rogue), 'rejected', 'UNTRUSTED_KEY'],
      ['another device', forge({ deviceId: 'cm-other' }), 'rejected', 'WRONG_DEVICE'],
      ['expired', forge({ issuedAt: Date.now() - 120_000, expiresAt: Date.now() - 60_000 }), 'expired', 'EXPIRED'],
      ['unknown action', forge({ action: 'open_valve', params: {} }), 'rejected', 'UNKNOWN_ACTION'],
      ['bad params', forge({ params: { size: 99 } }), 'rejected', 'BAD_PARAMS'],
    ];
    for (const [, envelope] of cases) await publish(envelope);
    for (const [name, envelope, status, code] of cases) {
      const outcome = await finalOutcome((envelope as CommandEnvelope).id);
      expect({ name, status: outcome.status, code: outcome.code }).toEqual({ name, status, code });
      expect(outcomes((envelope as CommandEnvelope).id).map((r) => r.status)).not.toContain('accepted');
    }
    expect(mcu.actionRequests()).toBe(before);
    expect(mcu.mcu.sensors.get('grind_size')).toBe(grind);
  });

  it('rejects a failed precondition (machine busy) and stores the rejection with the command', async () => {
    const before = mcu.actionRequests();
    mcu.mcu.setSensor('machine_state', 'brewing');
    try {
      const sent = await broker.fleet.commands.send({
        deviceId: DEVICE,
        action: 'rinse',
        params: {},
        staff,
        ttlMs: 60_000,
      });
      const record = await waitFor(() => {
        const r = broker.fleet.commands.get(sent.id);
        return r?.status === 'rejected' ? r : undefined;
      }, 'rejected stored');
      expect(record.history.at(-1)).toMatchObject({ status: 'rejected', code: 'PRECONDITION_FAILED' });
      expect(mcu.actionRequests()).toBe(before);
    } finally {
      mcu.mcu.setSensor('machine_state', 'idle');
    }
  });

  it('rejects a replay, also after the agent was killed and restarted, without a second effect', async () => {
    const sent = await broker.fleet.commands.send({
      deviceId: DEVICE,
      action: 'set_brew_strength',
      params: { strength: 5 },
      staff,
      ttlMs: 60_000,
    });
    await waitFor(() => broker.fleet.commands.get(sent.id)?.status === 'succeeded', 'first run succeeded');
    const runs = mcu.actionRequests();
    mcu.mcu.setSensor('brew_strength', 1);
    const envelope = await waitFor(() => {
      const row = broker.fleet.db.prepare('SELECT envelope FROM commands WHERE id = ?').get(sent.id) as
        { envelope: string } | undefined;
      return row && (JSON.parse(row.envelope) as CommandEnvelope);
    }, 'stored envelope');

    await publish(envelope);
    await waitFor(() => outcomes(envelope.id).some((r) => r.code === 'REPLAY'), 'REPLAY result');

    await agent.kill('SIGKILL');
    agent = await startAgent();
    const replays = outcomes(envelope.id).filter((r) => r.code === 'REPLAY').length;
    await publish(envelope);
    await waitFor(
      () => outcomes(envelope.id).filter((r) => r.code === 'REPLAY').length > replays,
      'REPLAY after restart',
    );

    const history = broker.fleet.commands.get(sent.id)!.history;
    expect(history.filter((x) => x.code === 'REPLAY').length).toBeGreaterThanOrEqual(2);
    expect(mcu.actionRequests()).toBe(runs);
    expect(mcu.mcu.sensors.get('brew_strength')).toBe(1);
  });
});
