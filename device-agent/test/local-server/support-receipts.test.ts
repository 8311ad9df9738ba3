import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  deviceTopic,
  diagnosticsMessage,
  header,
  newId,
  signalMessage,
  signalTopic,
  type CommandResultMessage,
  type DiagnosticsMessage,
  type SupportReceipt,
} from '@touchpoint/protocol';
import { createAgent, type Agent } from '../../src/agent.js';
import type { AgentConfigInput } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { startAedes, type TestBroker } from '../helpers/aedes.js';
import { FakeBridge } from '../helpers/fake-bridge.js';
import { command, tempDir, testConfig, waitFor } from '../helpers/fixtures.js';
import { connectUi, type UiSocket } from '../helpers/ui-socket.js';

/**
 * Issue 16, receipts: after a fix, a call or a case the customer's support
 * history says what was shared, what was done, by whom (name or role) and
 * when; and "sensor values refresh right after a fix": the agent sends a
 * diagnostics snapshot when a staff command finishes. Real aedes, the real
 * agent with its touch UI socket and video extension, a fake MCU; the fleet is
 * an MQTT client speaking the protocol.
 */
describe('support receipts and the snapshot after a fix (real aedes, real agent, UI socket)', () => {
  let broker: TestBroker;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let agent: Agent | undefined;
  let bridge: FakeBridge;
  let fleet: MqttClient;
  let results: CommandResultMessage[];
  let snapshots: DiagnosticsMessage[];
  const sockets: UiSocket[] = [];

  beforeEach(async () => {
    broker = await startAedes();
    dir = await tempDir();
    bridge = new FakeBridge();
    results = [];
    snapshots = [];
    fleet = await connectAsync(broker.url, { clientId: 'fleet-receipts', reconnectPeriod: 0 });
    fleet.on('message', (topic, payload) => {
      if (topic === deviceTopic('cm-0001', 'diagnostics'))
        snapshots.push(diagnosticsMessage.parse(JSON.parse(payload.toString())));
    });
    await fleet.subscribeAsync(deviceTopic('cm-0001', 'diagnostics'), { qos: 1 });
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await agent?.stop();
    agent = undefined;
    await fleet.endAsync(true);
    await broker.close();
    await dir.remove();
  });

  async function startAgent(overrides: Partial<AgentConfigInput> = {}): Promise<UiSocket> {
    agent = await createAgent(
      testConfig(dir.path, {
        brokerUrl: broker.url,
        localServer: { enabled: true, port: 0, uiDir: dir.path },
        ...overrides,
      }),
      { createBridge: () => bridge, logger: silentLogger },
    );
    agent.services.bus.on('command.result', (r) => void results.push(r));
    await agent.start();
    await waitFor(() => agent!.services.connection.connected, 'agent connected');
    const ui = await connectUi(agent);
    sockets.push(ui);
    return ui;
  }

  const history = async (ui: UiSocket) =>
    ((await ui.request({ type: 'support.history' })).data as { receipts: SupportReceipt[] }).receipts;
  const publish = (cmd: ReturnType<typeof command>) =>
    fleet.publishAsync(deviceTopic('cm-0001', 'command'), JSON.stringify(cmd), { qos: 1 });
  const outcome = (id: string) =>
    waitFor(() => results.find((r) => r.commandId === id && r.status !== 'accepted'), `the outcome of ${id}`);
  const sam = { name: 'Sam Support', role: 'agent' } as const;

  it("a fix's receipt names who issued it, from the signed command; a changed name breaks the signature", async () => {
    const ui = await startAgent();
    const rinse = command({ action: 'rinse', params: {}, issuer: sam });
    await publish(rinse);
    expect(await outcome(rinse.id)).toMatchObject({ status: 'succeeded' });
    const [receipt] = await history(ui);
    expect(receipt).toMatchObject({
      id: rinse.id,
      kind: 'fix',
      action: 'rinse',
      label: { en: 'Rinse' },
      outcome: 'succeeded',
      by: { role: 'agent', name: 'Sam Support' },
    });

    // Someone on the way puts another name on a signed fix: the device refuses it and lists nothing.
    const forged = { ...command({ action: 'rinse', params: {}, issuer: sam }), issuer: { ...sam, name: 'Your bank' } };
    await publish(forged);
    expect(await outcome(forged.id)).toMatchObject({ status: 'rejected', code: 'BAD_SIGNATURE' });
    expect((await history(ui)).map((r) => r.id)).toEqual([rinse.id]);

    // A command from an older fleet (no issuer) is by the support team.
    const old = command({ action: 'rinse', params: {} });
    await publish(old);
    await outcome(old.id);
    expect((await history(ui))[0]).toMatchObject({ id: old.id, by: { role: 'support' } });
    expect((await history(ui))[0]!.by.name).toBeUndefined();
  });

  it('with touchscreen.staffNames "role" the history names the role only, for fixes, cases and calls', async () => {
    const ui = await startAgent({ touchscreen: { idleTimeoutS: 180, staffNames: 'role' } });
    const rinse = command({ action: 'rinse', params: {}, issuer: { name: 'Ada Admin', role: 'admin' } });
    await publish(rinse);
    await outcome(rinse.id);
    agent!.services.bus.emit('case.status', { ...header(), caseId: 'case-9', status: 'claimed', agentName: 'Sam' });
    const receipts = await waitFor(async () => {
      const r = await history(ui);
      return r.length === 2 ? r : undefined;
    }, 'two receipts');
    expect(receipts.map((r) => r.by)).toEqual([{ role: 'support' }, { role: 'admin' }]);
  });

  it('a case keeps what the customer shared at escalation: the error codes and the readings by name, through its status changes', async () => {
    bridge.errors = ['E05'];
    const ui = await startAgent();
    const opened = await ui.request({
      type: 'help.case.open',
      locale: 'en',
      consent: { diagnostics: true, helpSession: true },
    });
    expect(opened).toMatchObject({ ok: true });
    const [receipt] = await waitFor(async () => {
      const r = await history(ui);
      return r.length === 1 ? r : undefined;
    }, 'the case receipt');
    expect(receipt).toMatchObject({
      kind: 'case',
      outcome: 'opened',
      shared: ['diagnostics', 'help-session'],
      by: { role: 'support' },
    });
    expect(receipt!.diagnostics?.errors).toEqual(['E05']);
    expect(receipt!.diagnostics?.readings.map((l) => l.en)).toEqual(['State', 'Water tank', 'Grind size']);

    // The fleet claims it: the same line moves on and still says what was shared.
    const caseId = receipt!.id.replace(/^case:/, '');
    agent!.services.bus.emit('case.status', { ...header(), caseId, status: 'claimed', agentName: 'Sam Support' });
    const [claimed] = await waitFor(async () => {
      const r = await history(ui);
      return r[0]?.outcome === 'claimed' ? r : undefined;
    }, 'the claimed case');
    expect(claimed).toMatchObject({
      id: receipt!.id,
      by: { name: 'Sam Support' },
      diagnostics: receipt!.diagnostics,
      shared: ['diagnostics', 'help-session'],
    });
  });

  it('a video call the customer accepted leaves a receipt: who called, camera and microphone, how long; a declined one none', async () => {
    const ui = await startAgent();
    let seq = 0;
    const down = (sessionId: string, body: Record<string, unknown>) =>
      fleet.publishAsync(
        signalTopic('cm-0001', sessionId, 'down'),
        JSON.stringify(
          signalMessage.parse({ ...header(), sessionId, seq: seq++, staffId: 'sam', from: 'staff', ...body }),
        ),
        { qos: 1 },
      );
    const ring = async () => {
      const sessionId = newId();
      seq = 0;
      await down(sessionId, {
        kind: 'request',
        staffName: 'Sam Support',
        media: { audio: true, video: true },
        expiresAt: Date.now() + 60_000,
      });
      await waitFor(() => ui.messages.some((m) => m.type === 'video.ring' && m.sessionId === sessionId), 'ringing');
      return sessionId;
    };
    const ended = (sessionId: string) =>
      waitFor(() => ui.messages.some((m) => m.type === 'video.ended' && m.sessionId === sessionId), 'ended');

    const declined = await ring();
    await ui.request({ type: 'video.consent', sessionId: declined, decision: 'declined' });
    await ended(declined);

    const call = await ring();
    expect(await ui.request({ type: 'video.consent', sessionId: call, decision: 'accepted' })).toMatchObject({
      ok: true,
    });
    await down(call, { kind: 'hangup', reason: 'done', endedBy: 'staff' });
    await ended(call);
    const receipts = await history(ui);
    expect(receipts.map((r) => r.id)).toEqual([`call:${call}`]);
    const profile = agent!.services.profile.capabilities;
    expect(receipts[0]).toMatchObject({
      kind: 'call',
      outcome: 'ended',
      shared: [...(profile.camera ? ['camera'] : []), ...(profile.microphone ? ['microphone'] : [])],
      by: { role: 'support', name: 'Sam Support' },
    });
    expect(receipts[0]!.durationS).toBeGreaterThanOrEqual(0);
  });

  it('sends a diagnostics snapshot when a staff command finishes, so the fleet sees its effect at once', async () => {
    await startAgent();
    // The periodic snapshot is an hour away (testConfig): every snapshot here comes from a command.
    const request = command({ action: 'diagnostics.request', params: {} });
    await publish(request);
    await outcome(request.id);
    const grind = command({ action: 'set_grind_size', params: { size: 9 } });
    await publish(grind);
    expect(await outcome(grind.id)).toMatchObject({ status: 'succeeded' });
    const after = await waitFor(() => snapshots.find((s) => s.reason === 'command'), 'the snapshot after the fix');
    expect(after.mcu.sensors.grind_size).toBe(9);
    // diagnostics.request is a snapshot already: one, not two.
    expect(snapshots.map((s) => s.reason)).toEqual(['request', 'command']);
  });
});
