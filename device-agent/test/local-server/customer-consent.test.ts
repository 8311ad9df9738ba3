import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceTopic, header, type CommandResultMessage } from '@touchpoint/protocol';
import { createAgent, type Agent } from '../../src/agent.js';
import { silentLogger } from '../../src/logger.js';
import { startAedes, type TestBroker } from '../helpers/aedes.js';
import { FakeBridge } from '../helpers/fake-bridge.js';
import { command, tempDir, testConfig, waitFor } from '../helpers/fixtures.js';
import { connectUi as connectUiSocket, type UiSocket } from '../helpers/ui-socket.js';

/**
 * Issue 16: a staff command for an action the profile marks `needsCustomer`
 * (the coffee machine's clear_grinder: the grinder turns) waits for the
 * customer's "Allow" on the touchscreen, is refused on "Decline" or when nobody
 * answers, and runs without the question while the customer allows remote
 * control. Real aedes, the real agent and its UI socket, a fake MCU.
 */
describe('actions that need the customer (real aedes, real agent, UI socket)', () => {
  let broker: TestBroker;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let agent: Agent;
  let bridge: FakeBridge;
  let fleet: MqttClient;
  let results: CommandResultMessage[];
  const sockets: UiSocket[] = [];

  beforeEach(async () => {
    broker = await startAedes();
    dir = await tempDir();
    bridge = new FakeBridge();
    results = [];
    await startAgent();
    fleet = await connectAsync(broker.url, { clientId: 'fleet-consent', reconnectPeriod: 0 });
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await agent.stop();
    await fleet.endAsync(true);
    await broker.close();
    await dir.remove();
  });

  async function startAgent(): Promise<void> {
    agent = await createAgent(
      testConfig(dir.path, {
        brokerUrl: broker.url,
        localServer: { enabled: true, port: 0, uiDir: dir.path },
        commands: { clockSkewS: 60, customerWaitS: 2, remoteControlMinutes: 30 },
      }),
      { createBridge: () => bridge, logger: silentLogger },
    );
    // Before start: a command interrupted by the last stop is reported while the agent starts.
    agent.services.bus.on('command.result', (r) => void results.push(r));
    await agent.start();
    await waitFor(() => agent.services.connection.connected, 'agent connected');
  }

  async function connectUi(): Promise<UiSocket> {
    const ui = await connectUiSocket(agent);
    sockets.push(ui);
    return ui;
  }

  const sendGrinder = async () => {
    const cmd = command({ action: 'clear_grinder', params: { pulses: 2 } });
    await fleet.publishAsync(deviceTopic('cm-0001', 'command'), JSON.stringify(cmd), { qos: 1 });
    return cmd.id;
  };
  const outcome = (id: string) =>
    waitFor(() => results.find((r) => r.commandId === id && r.status !== 'accepted'), `the outcome of ${id}`);

  it('greets a UI with remote control off and how long it would last', async () => {
    const ui = await connectUi();
    expect(ui.messages).toContainEqual({ type: 'support.remote', until: null, minutes: 30 });
  });

  it('asks with the profile reason, runs nothing until Allow, then runs and succeeds', async () => {
    const ui = await connectUi();
    const id = await sendGrinder();
    const ask = await waitFor(() => ui.messages.find((m) => m.type === 'support.ask'), 'the question');
    expect(ask).toMatchObject({
      commandId: id,
      action: 'clear_grinder',
      label: { en: 'Clear grinder' },
      reason: { en: 'The grinder turns. Please keep your hands out of the bean hopper.' },
    });
    expect(bridge.runs).toEqual([]);
    expect(results.filter((r) => r.commandId === id)).toEqual([]);
    // A kiosk reload while the question is open shows it again.
    const reloaded = await connectUi();
    expect(reloaded.messages.some((m) => m.type === 'support.ask' && m.commandId === id)).toBe(true);

    expect(await ui.request({ type: 'support.answer', commandId: id, allow: true })).toMatchObject({ ok: true });
    expect(await outcome(id)).toMatchObject({ status: 'succeeded' });
    expect(bridge.runs).toEqual([{ name: 'clear_grinder', params: { pulses: 2 } }]);
    expect(results.filter((r) => r.commandId === id).map((r) => r.status)).toEqual(['accepted', 'succeeded']);
  });

  it('Decline refuses the command with CUSTOMER_DECLINED, runs nothing, and closes the question on screen', async () => {
    const ui = await connectUi();
    const id = await sendGrinder();
    await waitFor(() => ui.messages.find((m) => m.type === 'support.ask'), 'the question');
    await ui.request({ type: 'support.answer', commandId: id, allow: false });
    expect(await outcome(id)).toMatchObject({ status: 'rejected', code: 'CUSTOMER_DECLINED' });
    const closed = await waitFor(
      () => ui.messages.find((m) => m.type === 'command' && m.commandId === id),
      'the question closed',
    );
    expect(closed).toMatchObject({ status: 'rejected', code: 'CUSTOMER_DECLINED' });
    expect(bridge.runs).toEqual([]);
    // A late or repeated answer is refused, never runs the command.
    expect(await ui.request({ type: 'support.answer', commandId: id, allow: true })).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    });
    expect(bridge.runs).toEqual([]);
  });

  it('no answer within the wait refuses the command with CUSTOMER_NO_ANSWER', async () => {
    const ui = await connectUi();
    const id = await sendGrinder();
    await waitFor(() => ui.messages.find((m) => m.type === 'support.ask'), 'the question');
    const result = await waitFor(
      () => results.find((r) => r.commandId === id && r.status !== 'accepted'),
      'the outcome after the 2 s wait',
      10_000,
    );
    expect(result).toMatchObject({ status: 'rejected', code: 'CUSTOMER_NO_ANSWER' });
    expect(result.reason).toMatch(/within 2 s/);
    expect(bridge.runs).toEqual([]);
  });

  it('while remote control is allowed the action runs without the question; ending it brings the question back', async () => {
    const ui = await connectUi();
    const allowed = await ui.request({ type: 'support.remote', minutes: 30 });
    const until = (allowed.data as { until: number }).until;
    expect(until).toBeGreaterThan(Date.now() + 29 * 60_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 30 * 60_000);
    expect(ui.messages).toContainEqual({ type: 'support.remote', until, minutes: 30 });
    // A reload shows the indicator again.
    const reloaded = await connectUi();
    expect(reloaded.messages).toContainEqual({ type: 'support.remote', until, minutes: 30 });

    const first = await sendGrinder();
    expect(await outcome(first)).toMatchObject({ status: 'succeeded' });
    expect(ui.messages.some((m) => m.type === 'support.ask')).toBe(false);
    // Still shown in the support panel like any staff action.
    await waitFor(
      () => ui.messages.find((m) => m.type === 'command' && m.commandId === first && m.status === 'accepted'),
      'the action on the support panel',
    );

    await ui.request({ type: 'support.remote', minutes: 0 });
    expect(ui.messages).toContainEqual({ type: 'support.remote', until: null, minutes: 30 });
    const second = await sendGrinder();
    await waitFor(() => ui.messages.find((m) => m.type === 'support.ask' && m.commandId === second), 'asked again');
    expect(bridge.runs).toHaveLength(1);
  });

  it('keeps receipts (fixes and the case, by whom, what was shared) newest first, across an agent restart', async () => {
    const ui = await connectUi();
    const declined = await sendGrinder();
    await waitFor(() => ui.messages.find((m) => m.type === 'support.ask' && m.commandId === declined), 'asked');
    await ui.request({ type: 'support.answer', commandId: declined, allow: false });
    await outcome(declined);
    agent.services.bus.emit('case.status', { ...header(), caseId: 'case-7', status: 'claimed', agentName: 'Sam' });
    const history = async (u: UiSocket) =>
      ((await u.request({ type: 'support.history' })).data as { receipts: Record<string, unknown>[] }).receipts;
    const before = await history(ui);
    expect(before.map((r) => [r.kind, r.outcome])).toEqual([
      ['case', 'claimed'],
      ['fix', 'declined'],
    ]);
    expect(before[0]).toMatchObject({
      id: 'case:case-7',
      shared: ['diagnostics', 'help-session'],
      by: { name: 'Sam' },
    });
    expect(before[1]).toMatchObject({ id: declined, action: 'clear_grinder', label: { en: 'Clear grinder' } });
    // A case that moves on keeps one line.
    agent.services.bus.emit('case.status', { ...header(), caseId: 'case-7', status: 'resolved', agentName: 'Sam' });
    expect((await history(ui)).map((r) => r.outcome)).toEqual(['resolved', 'declined']);

    // A new agent process on the same data directory (the file, not memory).
    for (const s of sockets.splice(0)) s.close();
    await agent.stop();
    await startAgent();
    const after = await connectUi();
    expect((await history(after)).map((r) => [r.id, r.outcome])).toEqual([
      ['case:case-7', 'resolved'],
      [declined, 'declined'],
    ]);
  });

  it('an agent stopped while the customer is asked ends the wait, never runs the command, and reports it interrupted on the next start', async () => {
    const ui = await connectUi();
    const id = await sendGrinder();
    await waitFor(() => ui.messages.find((m) => m.type === 'support.ask' && m.commandId === id), 'asked');
    for (const s of sockets.splice(0)) s.close();
    await agent.stop();
    expect(results.filter((r) => r.commandId === id)).toEqual([]);
    await startAgent();
    const result = await outcome(id);
    expect(result).toMatchObject({ status: 'failed', code: 'ACTION_FAILED' });
    expect(result.reason).toMatch(/interrupted/);
    expect(bridge.runs).toEqual([]);
  });

  it('allowing remote control answers a question already on screen', async () => {
    const ui = await connectUi();
    const id = await sendGrinder();
    await waitFor(() => ui.messages.find((m) => m.type === 'support.ask'), 'the question');
    await ui.request({ type: 'support.remote', minutes: 30 });
    expect(await outcome(id)).toMatchObject({ status: 'succeeded' });
  });
});
