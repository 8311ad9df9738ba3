import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker, type StaffMember } from '@touchpoint/broker';
import {
  commandResultMessage,
  deviceTopic,
  header,
  type CommandEnvelope,
  type CommandResultMessage,
} from '@touchpoint/protocol';
import { signCommand, type SignerKey } from '@touchpoint/protocol/signing';
import {
  type AgentProcess,
  commandAgentConfig,
  fleetSigningKey,
  Harness,
  ROOT,
  spawnAgentOnline,
  waitFor,
} from './harness.js';

const DEVICE = 'cm-keys';
const CLI = join(ROOT, 'cli', 'bin', 'touchpoint.js');

/**
 * Key rotation end to end (issue 12 #10): the real broker and fleet service,
 * `touchpoint key rotate` as a real process on the broker's data directory,
 * the agent as a process with the virtual coffee machine behind a socat pty.
 */
describe('command key rotation (real broker, CLI, agent process)', () => {
  const h = new Harness();
  let broker: RunningBroker;
  let brokerDir: string;
  let configPath: string;
  let agent: AgentProcess;
  let service: MqttClient;
  let staff: StaffMember;
  let firstKey: SignerKey;
  const results: CommandResultMessage[] = [];

  function rotate(...args: string[]): { previous: string; current: string; version: number; dropped: string[] } {
    const res = spawnSync(process.execPath, [CLI, 'key', 'rotate', '--data-dir', brokerDir, '--json', ...args], {
      encoding: 'utf8',
      env: { ...process.env, TP_SIGNING_KEY_PASSPHRASE: '' },
    });
    if (res.status !== 0) throw new Error(`key rotate exited ${res.status}: ${res.stderr}`);
    return JSON.parse(res.stdout) as ReturnType<typeof rotate>;
  }

  const accepted = (version: number) =>
    agent.lines.some((l) => l.includes('key list accepted') && l.includes(`"version":${version}`));

  async function runs(action: string, params: Record<string, unknown>): Promise<CommandEnvelope> {
    const sent = await broker.fleet.commands.send({ deviceId: DEVICE, action, params, staff, ttlMs: 120_000 });
    await waitFor(
      () => broker.fleet.commands.get(sent.id)?.status === 'succeeded' || undefined,
      `${action} ${sent.id} succeeded`,
      30_000,
    );
    return JSON.parse(
      broker.fleet.db.prepare('SELECT envelope FROM commands WHERE id = ?').pluck().get(sent.id) as string,
    ) as CommandEnvelope;
  }

  beforeAll(async () => {
    brokerDir = await h.tempDir('tp-broker-');
    // A short key check, so a rotation reaches online devices without waiting for a command.
    broker = await startBroker({
      dataDir: brokerDir,
      host: '127.0.0.1',
      mqttPort: 0,
      httpPort: 0,
      log: 'silent',
      expirySweepMs: 60_000,
      keyCheckMs: 200,
    });
    h.defer(() => broker.close());
    const mcu = await h.mcu();
    const { token } = await broker.fleet.provisionDevice(DEVICE, 'coffee-machine');
    staff = (await broker.fleet.staff.add('support1', 'agent')).staff;
    firstKey = await fleetSigningKey(brokerDir);
    const rootKey = JSON.parse(await readFile(join(brokerDir, 'keys', 'root-key.json'), 'utf8')) as {
      keyId: string;
      publicKeyPem: string;
    };
    ({ configPath } = await commandAgentConfig(
      h,
      broker,
      { id: DEVICE, token, devicePath: mcu.devicePath },
      { rootKeys: [{ keyId: rootKey.keyId, publicKeyPem: rootKey.publicKeyPem }] },
    ));
    service = await h.service(broker);
    service.on('message', (_topic, payload) => {
      const parsed = commandResultMessage.safeParse(JSON.parse(payload.toString()));
      if (parsed.success) results.push(parsed.data);
    });
    await service.subscribeAsync(deviceTopic(DEVICE, 'commandResult'), { qos: 1 });
    agent = await startAgent();
  }, 90_000);
  afterAll(() => h.cleanup());

  const startAgent = (): Promise<AgentProcess> => spawnAgentOnline(h, broker, DEVICE, configPath);

  it('a device gets the signed key list when it connects', async () => {
    await waitFor(() => accepted(1), 'the agent to accept key list 1');
    expect((await runs('set_grind_size', { size: 8 })).keyId).toBe(firstKey.keyId);
  });

  it('rotate while the device is online: the list reaches it, commands under the new key run', async () => {
    const rotated = rotate('--grace-hours', '1');
    expect(rotated).toMatchObject({ previous: firstKey.keyId, version: 2, dropped: [] });
    await waitFor(() => accepted(2), 'the agent to accept key list 2 (pushed by the broker, no command sent)', 30_000);
    expect(broker.fleet.signer.keyId).toBe(rotated.current);
    expect((await runs('set_grind_size', { size: 6 })).keyId).toBe(rotated.current);
  });

  it('rotate with --revoke while the device is offline: it converges on reconnect, the queued command runs, the revoked key is rejected with KEY_REVOKED', async () => {
    await agent.kill('SIGTERM');
    await waitFor(
      async () => (await broker.fleet.devices.get(DEVICE))?.online === false || undefined,
      'the device offline',
    );
    const before = broker.fleet.signer.keyId;
    const rotated = rotate('--revoke', firstKey.keyId, '--revoke', before);
    expect(rotated.version).toBe(3);
    expect(rotated.dropped.sort()).toEqual([before, firstKey.keyId].sort());
    // Sent while the device is offline: the broker publishes list 3 ahead of it, so the persistent session delivers both in order.
    const sent = await broker.fleet.commands.send({
      deviceId: DEVICE,
      action: 'set_grind_size',
      params: { size: 3 },
      staff,
      ttlMs: 120_000,
    });
    agent = await startAgent();
    await waitFor(
      () => broker.fleet.commands.get(sent.id)?.status === 'succeeded' || undefined,
      'the command queued under the new key to run after the reconnect',
      30_000,
    );
    expect(accepted(3)).toBe(true);

    const now = Date.now();
    const forged = signCommand(
      {
        ...header(now),
        deviceId: DEVICE,
        action: 'set_grind_size',
        params: { size: 9 },
        issuedAt: now,
        expiresAt: now + 60_000,
        issuedBy: staff.id,
        keyId: firstKey.keyId,
      },
      firstKey,
    );
    await service.publishAsync(deviceTopic(DEVICE, 'command'), JSON.stringify(forged), { qos: 1 });
    // The fleet never issued this id, so its result is diverted away from subscribers; the agent's log has the outcome.
    const line = await waitFor(
      () => agent.lines.find((l) => l.includes('command rejected') && l.includes(forged.id)),
      'the agent to reject the command under the revoked key',
    );
    expect(line).toContain('"code":"KEY_REVOKED"');
    expect(line).toContain(`key ${firstKey.keyId} was dropped by key list 3`);
    expect(results.some((r) => r.commandId === forged.id && r.status !== 'rejected')).toBe(false);
  });
});
