import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceTopic, header } from '@touchpoint/protocol';
import { createAgent, type Agent } from '../../src/agent.js';
import type { McuActionResult } from '../../src/bridge/mcu-bridge.js';
import { silentLogger } from '../../src/logger.js';
import { startAedes, type TestBroker } from '../helpers/aedes.js';
import { FakeBridge } from '../helpers/fake-bridge.js';
import { command, rogue, tempDir, testConfig, waitFor } from '../helpers/fixtures.js';
import { connectUi as connectUiSocket, type UiMessage, type UiSocket } from '../helpers/ui-socket.js';

/** An MCU whose actions report 30 % and then wait until the test lets them finish. */
class GatedBridge extends FakeBridge {
  private release: ((result: McuActionResult) => void) | undefined;
  /** Set when the test ends: actions finish at once, so the agent can stop. */
  gateOpen = false;
  override async runAction(
    name: string,
    params: Record<string, unknown>,
    options?: { onProgress?: (p: { percent: number }) => void },
  ): Promise<McuActionResult> {
    this.runs.push({ name, params });
    options?.onProgress?.({ percent: 30 });
    if (this.gateOpen) return { ok: true };
    return new Promise((resolve) => (this.release = resolve));
  }
  get running(): boolean {
    return this.release !== undefined;
  }
  finish(result: McuActionResult): void {
    this.release?.(result);
    this.release = undefined;
  }
}

/**
 * The agent's side of "the customer always knows what support does" (issue
 * 16): which pushes a staff command produces on the touch UI socket, and what
 * a UI that connects in the middle is told. Real aedes, the real agent.
 */
describe('support activity on the touch UI socket (real aedes, real agent, gated MCU)', () => {
  let broker: TestBroker;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let agent: Agent;
  let bridge: GatedBridge;
  let fleet: MqttClient;
  const sockets: UiSocket[] = [];

  beforeEach(async () => {
    broker = await startAedes();
    dir = await tempDir();
    bridge = new GatedBridge();
    agent = await createAgent(
      testConfig(dir.path, { brokerUrl: broker.url, localServer: { enabled: true, port: 0, uiDir: dir.path } }),
      { createBridge: () => bridge, logger: silentLogger },
    );
    await agent.start();
    await waitFor(() => agent.services.connection.connected, 'agent connected');
    fleet = await connectAsync(broker.url, { clientId: 'fleet-support', reconnectPeriod: 0 });
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    bridge.gateOpen = true;
    bridge.finish({ ok: true });
    await agent.stop();
    await fleet.endAsync(true);
    await broker.close();
    await dir.remove();
  });

  async function connectUi(): Promise<UiMessage[]> {
    const ui = await connectUiSocket(agent);
    sockets.push(ui);
    return ui.messages;
  }

  const sendCommand = (fields: Parameters<typeof command>[0]) => {
    const cmd = command(fields);
    return fleet.publishAsync(deviceTopic('cm-0001', 'command'), JSON.stringify(cmd), { qos: 1 }).then(() => cmd.id);
  };

  it('pushes accepted with the profile name, progress and the result; a UI that connects meanwhile is greeted with it', async () => {
    const first = await connectUi();
    const id = await sendCommand({ action: 'rinse', params: {} });
    await waitFor(() => bridge.running, 'the rinse runs on the MCU');
    await waitFor(() => first.some((m) => m.type === 'progress'), 'progress');
    expect(first.filter((m) => m.commandId === id)).toEqual([
      {
        type: 'command',
        commandId: id,
        action: 'rinse',
        label: { de: 'Spülen', en: 'Rinse' },
        status: 'accepted',
      },
      { type: 'progress', commandId: id, action: 'rinse', label: { de: 'Spülen', en: 'Rinse' }, percent: 30 },
    ]);

    // A kiosk reload in the middle of the action: the new page learns what runs without waiting for the next push.
    const reloaded = await connectUi();
    expect(reloaded.filter((m) => m.commandId === id).map((m) => [m.type, m.status ?? m.percent])).toEqual([
      ['command', 'accepted'],
      ['progress', 30],
    ]);

    bridge.finish({ ok: false, reason: 'the brew unit is stuck' });
    const result = await waitFor(
      () => first.find((m) => m.type === 'command' && m.commandId === id && m.status !== 'accepted'),
      'the result',
    );
    expect(result).toMatchObject({ status: 'failed', code: 'ACTION_FAILED', label: { en: 'Rinse' } });
    // Finished: a UI that connects now is not told about it any more.
    const later = await connectUi();
    expect(later.some((m) => m.commandId === id)).toBe(false);
  });

  it('after an in-process restart a UI is not greeted with a command that ended while the server was stopped', async () => {
    const id = await sendCommand({ action: 'rinse', params: {} });
    await waitFor(() => bridge.running, 'the rinse runs on the MCU');
    // Stop runs in reverse: the UI server stops first, then the commands extension waits for the rinse to end.
    const restarted = agent.restart('test');
    await waitFor(() => agent.services.localServer!.url === undefined, 'the UI server stopped');
    bridge.finish({ ok: true });
    await restarted;
    const ui = await connectUi();
    expect(ui.some((m) => m.commandId === id)).toBe(false);
  });

  it('a command refused before it ran (signed by a key the device does not trust) pushes nothing to the touchscreen', async () => {
    const ui = await connectUi();
    const forged = command({ action: 'rinse', params: {} }, rogue);
    await fleet.publishAsync(deviceTopic('cm-0001', 'command'), JSON.stringify(forged), { qos: 1 });
    const honest = await sendCommand({ action: 'rinse', params: {} });
    // Deliveries are handled in order: once the honest one is on screen, the forged one was dealt with.
    await waitFor(() => ui.some((m) => m.type === 'command' && m.commandId === honest), 'the honest command shown');
    expect(ui.some((m) => m.commandId === forged.id)).toBe(false);
  });

  it('relays the case status, and greets a new UI with an open case but not with a closed one', async () => {
    const ui = await connectUi();
    // What the help session emits for each retained `case/status` message from the fleet.
    agent.services.bus.emit('case.status', {
      ...header(),
      caseId: 'case-1',
      status: 'claimed',
      agentName: 'Sam Support',
    });
    await waitFor(() => ui.some((m) => m.type === 'case.status'), 'case status pushed');
    expect(ui.find((m) => m.type === 'case.status')).toEqual({
      type: 'case.status',
      caseId: 'case-1',
      status: 'claimed',
      agentName: 'Sam Support',
    });
    expect((await connectUi()).some((m) => m.type === 'case.status' && m.status === 'claimed')).toBe(true);
    agent.services.bus.emit('case.status', { ...header(), caseId: 'case-1', status: 'closed' });
    await waitFor(() => ui.some((m) => m.type === 'case.status' && m.status === 'closed'), 'closed pushed');
    expect((await connectUi()).some((m) => m.type === 'case.status')).toBe(false);
  });
});
