import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker, StaffMember } from '@touchpoint/broker';
import { type AgentProcess, commandAgentConfig, Harness, spawnAgentOnline, waitFor } from './harness.js';

const DEVICE = 'cm-resync';

/**
 * Issue 15: pending commands reach a device because the fleet sends them again when it sees the
 * device's birth, not because the engine kept a session or a retained message. The real broker, the
 * agent as a process, the virtual coffee machine behind a socat pty.
 */
describe('pending commands after an outage (real broker, agent process, virtual MCU over a pty)', () => {
  const h = new Harness();
  let broker: RunningBroker;
  let brokerDir: string;
  let configPath: string;
  let mcu: Awaited<ReturnType<Harness['mcu']>>;
  let staff: StaffMember;
  let agent: AgentProcess | undefined;

  beforeAll(async () => {
    brokerDir = await h.tempDir('tp-broker-');
    broker = await h.broker(brokerDir);
    mcu = await h.mcu();
    const { token } = await broker.fleet.provisionDevice(DEVICE, 'coffee-machine');
    staff = (await broker.fleet.staff.add('support-resync', 'agent')).staff;
    ({ configPath } = await commandAgentConfig(h, broker, { id: DEVICE, token, devicePath: mcu.devicePath }));
  }, 60_000);
  afterAll(() => h.cleanup());

  const startAgent = (): Promise<AgentProcess> => spawnAgentOnline(h, broker, DEVICE, configPath);

  async function stopAgent(): Promise<void> {
    await agent?.kill('SIGKILL');
    agent = undefined;
    await waitFor(async () => !(await broker.fleet.devices.get(DEVICE))?.online, 'the device offline', 30_000);
  }

  it('runs a command sent while the agent was down, after the engine lost its session, once', async () => {
    agent = await startAgent();
    await stopAgent();
    // The engine node that held the device's session is gone: a broker with no MQTT sessions on the same database.
    const port = broker.mqttPort;
    await broker.close();
    await rm(join(brokerDir, 'mqtt-sessions'), { recursive: true, force: true });
    broker = await h.broker(brokerDir, port);

    const runs = mcu.actionRequests();
    const sent = await broker.fleet.commands.send({
      deviceId: DEVICE,
      action: 'set_grind_size',
      params: { size: 9 },
      staff,
      ttlMs: 120_000,
    });
    expect(broker.fleet.commands.get(sent.id)?.status).toBe('queued');

    agent = await startAgent();
    const done = await waitFor(() => {
      const r = broker.fleet.commands.get(sent.id);
      return r?.status === 'succeeded' ? r : undefined;
    }, 'the command succeeded after the agent came back');
    expect(done.history.map((x) => x.status)).toEqual(expect.arrayContaining(['queued', 'accepted', 'succeeded']));
    expect(mcu.mcu.sensors.get('grind_size')).toBe(9);
    expect(mcu.actionRequests()).toBe(runs + 1);
  });

  it('runs a command that waited in the kept session once, and it stays succeeded', async () => {
    await stopAgent();
    const runs = mcu.actionRequests();
    const sent = await broker.fleet.commands.send({
      deviceId: DEVICE,
      action: 'set_brew_strength',
      params: { strength: 4 },
      staff,
      ttlMs: 120_000,
    });
    agent = await startAgent();
    const done = await waitFor(() => {
      const r = broker.fleet.commands.get(sent.id);
      return r?.status === 'succeeded' ? r : undefined;
    }, 'the command succeeded');
    // aedes delivers it from the session and the birth's resync leaves it out; were it delivered twice, the
    // second would be a REPLAY in the history only: one run on the MCU, one `succeeded` either way.
    expect(done.history.filter((x) => x.status === 'succeeded')).toHaveLength(1);
    expect(done.history.filter((x) => x.status === 'rejected').every((x) => x.code === 'REPLAY')).toBe(true);
    expect(mcu.mcu.sensors.get('brew_strength')).toBe(4);
    expect(mcu.actionRequests()).toBe(runs + 1);
  });
});
