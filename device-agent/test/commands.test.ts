import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandResultMessage } from '@touchpoint/protocol';
import type { AgentEvents } from '../src/agent-events.js';
import { EventBus } from '../src/event-bus.js';
import { builtinActions } from '../src/extensions/commands/agent-actions.js';
import { CommandExtension } from '../src/extensions/commands/command-extension.js';
import { ReplayStore } from '../src/extensions/commands/replay-store.js';
import { McuLink } from '../src/extensions/mcu-link.js';
import { silentLogger } from '../src/logger.js';
import { MqttConnection } from '../src/mqtt/connection.js';
import { Outbox } from '../src/outbox/outbox.js';
import { Reporter } from '../src/outbox/reporter.js';
import { loadProfile } from '../src/profile-loader.js';
import { openAgentDatabase, type AgentDatabase } from '../src/store/database.js';
import { FakeBridge } from './helpers/fake-bridge.js';
import { COFFEE_PROFILE, command, rogue, signer, tempDir } from './helpers/fixtures.js';

const profile = loadProfile(COFFEE_PROFILE);

describe('signed command checks', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: AgentDatabase;
  let bridge: FakeBridge;
  let results: CommandResultMessage[];
  let extension: CommandExtension;
  let now: number;
  let snapshots: number;

  function build(): CommandExtension {
    const bus = new EventBus<AgentEvents>(silentLogger);
    bus.on('command.result', (r) => void results.push(r));
    const outbox = new Outbox(db, { maxBytes: 1 << 20, maxEntries: 1000 }, silentLogger);
    const connection = new MqttConnection({
      deviceId: 'cm-0001',
      brokerUrl: 'mqtt://127.0.0.1:1',
      token: 't',
      keepaliveS: 30,
      reconnect: { minMs: 10, maxMs: 10, connectTimeoutMs: 10 },
      presence: () => ({}),
      bus,
      logger: silentLogger,
    });
    const actions = builtinActions({
      snapshot: async () => {
        snapshots++;
        return 'diag-1';
      },
      reconnect: () => {},
      restart: () => {},
      cacheDir: `${dir.path}/cache`,
    });
    const ext = new CommandExtension({
      deviceId: 'cm-0001',
      profile,
      trustedKeys: [{ keyId: signer.keyId, publicKeyPem: signer.publicKeyPem }],
      clockSkewMs: 30_000,
      replay: new ReplayStore(db),
      mcu: new McuLink(bridge, '/dev/ttyTEST', bus, silentLogger),
      actions,
      reporter: new Reporter(outbox, 'cm-0001', bus),
      connection,
      bus,
      logger: silentLogger,
      now: () => now,
    });
    // Its onStart is synchronous: the subscriptions are in place when start() returns.
    void ext.start();
    return ext;
  }

  async function deliver(payload: object | string): Promise<CommandResultMessage[]> {
    const before = results.length;
    await extension.receive(typeof payload === 'string' ? payload : JSON.stringify(payload));
    await extension.idle();
    return results.slice(before);
  }

  beforeEach(async () => {
    dir = await tempDir();
    db = openAgentDatabase(dir.path);
    bridge = new FakeBridge();
    bridge.link = 'up';
    results = [];
    now = Date.now();
    snapshots = 0;
    extension = build();
  });
  afterEach(async () => {
    await extension.stop();
    db.close();
    await dir.remove();
  });

  it('runs a valid command on the MCU and reports accepted then succeeded', async () => {
    const cmd = command({ params: { size: 7 } });
    const out = await deliver(cmd);
    expect(out.map((r) => [r.commandId, r.status])).toEqual([
      [cmd.id, 'accepted'],
      [cmd.id, 'succeeded'],
    ]);
    expect(bridge.runs).toEqual([{ name: 'set_grind_size', params: { size: 7 } }]);
    expect(bridge.sensors.grind_size).toBe(7);
  });

  it('fills param defaults from the profile before the MCU sees them', async () => {
    await deliver(command({ action: 'descale', params: {} }));
    expect(bridge.runs).toEqual([{ name: 'descale', params: { intensity: 'normal' } }]);
  });

  const cases: [string, () => object | string, string, string?][] = [
    ['a bad signature', () => ({ ...command(), params: { size: 9 } }), 'BAD_SIGNATURE'],
    ['an untrusted key', () => command({}, rogue), 'UNTRUSTED_KEY'],
    ['another device', () => command({ deviceId: 'cm-0002' }), 'WRONG_DEVICE'],
    [
      'an expired command',
      () => command({ issuedAt: Date.now() - 120_000, expiresAt: Date.now() - 60_000 }),
      'EXPIRED',
      'expired',
    ],
    [
      'a command expired a moment ago (expiry gets no clock-skew allowance)',
      () => command({ issuedAt: Date.now() - 10_000, expiresAt: Date.now() - 1_000 }),
      'EXPIRED',
      'expired',
    ],
    [
      'a command from the future',
      () => command({ issuedAt: Date.now() + 120_000, expiresAt: Date.now() + 180_000 }),
      'CLOCK_SKEW',
    ],
    ['an unknown action', () => command({ action: 'self_destruct', params: {} }), 'UNKNOWN_ACTION'],
    ['bad params', () => command({ params: { size: 42 } }), 'BAD_PARAMS'],
    ['an unknown param', () => command({ params: { size: 3, turbo: true } }), 'BAD_PARAMS'],
    ['not an envelope', () => ({ id: 'garbage-1234', hello: 'world' }), 'SCHEMA_INVALID'],
  ];

  it.each(cases)('rejects %s with its own code and runs nothing', async (_name, make, code, status = 'rejected') => {
    const out = await deliver(make());
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ status, code });
    expect(out[0]!.reason).toBeTruthy();
    expect(bridge.runs).toEqual([]);
  });

  it('rejects a failed precondition and runs nothing', async () => {
    bridge.sensors.machine_state = 'brewing';
    const out = await deliver(command({ action: 'rinse', params: {} }));
    expect(out).toEqual([expect.objectContaining({ status: 'rejected', code: 'PRECONDITION_FAILED' })]);
    expect(out[0]!.reason).toContain("sensors.machine_state == 'idle'");
    expect(bridge.runs).toEqual([]);
  });

  it('rejects a precondition it cannot check because the MCU link is down', async () => {
    bridge.link = 'down';
    const out = await deliver(command({ action: 'rinse', params: {} }));
    expect(out).toEqual([expect.objectContaining({ status: 'rejected', code: 'PRECONDITION_FAILED' })]);
    expect(bridge.runs).toEqual([]);
  });

  it('never runs the same id twice, also after a restart', async () => {
    const cmd = command();
    await deliver(cmd);
    const again = await deliver(cmd);
    expect(again).toEqual([expect.objectContaining({ commandId: cmd.id, status: 'rejected', code: 'REPLAY' })]);
    expect(again[0]!.reason).toContain('outcome succeeded');
    await extension.stop();
    db.close();
    db = openAgentDatabase(dir.path);
    extension = build();
    const afterRestart = await deliver(cmd);
    expect(afterRestart).toEqual([expect.objectContaining({ status: 'rejected', code: 'REPLAY' })]);
    expect(bridge.runs).toHaveLength(1);
  });

  it('does not let a forged message burn a real command id', async () => {
    const cmd = command();
    await deliver({ ...cmd, params: { size: 1 } }); // same id, bad signature
    const out = await deliver(cmd);
    expect(out.map((r) => r.status)).toEqual(['accepted', 'succeeded']);
  });

  it('reports an MCU failure as failed with the reason', async () => {
    bridge.actionResult = { ok: false, reason: 'grinder motor stalled' };
    const out = await deliver(command({ action: 'set_grind_size', params: { size: 2 } }));
    expect(out.map((r) => r.status)).toEqual(['accepted', 'failed']);
    expect(out[1]).toMatchObject({ code: 'ACTION_FAILED', reason: 'grinder motor stalled' });
  });

  it('runs agent-local actions in the agent', async () => {
    const out = await deliver(command({ action: 'diagnostics.request', params: {} }));
    expect(out.map((r) => r.status)).toEqual(['accepted', 'succeeded']);
    expect(out[1]!.output).toEqual({ diagnosticsId: 'diag-1' });
    expect(snapshots).toBe(1);
    expect(bridge.runs).toEqual([]);
  });

  it('reports a command a previous run accepted but never finished as failed, without running it', async () => {
    const replay = new ReplayStore(db);
    replay.claim('cmd-interrupted', 'descale', now + 60_000, now);
    replay.update('cmd-interrupted', 'accepted', null, now);
    await extension.stop();
    results = [];
    extension = build();
    expect(results).toEqual([
      expect.objectContaining({ commandId: 'cmd-interrupted', status: 'failed', code: 'ACTION_FAILED' }),
    ]);
    expect(replay.get('cmd-interrupted')?.status).toBe('failed');
  });

  it('forgets seen ids only after their command can no longer pass the expiry check', () => {
    const replay = new ReplayStore(db);
    replay.claim('old', 'rinse', now - 120_000, now - 180_000);
    replay.claim('live', 'rinse', now + 60_000, now);
    expect(replay.prune(now, 30_000)).toBe(1);
    expect(replay.get('old')).toBeUndefined();
    expect(replay.get('live')).toBeDefined();
  });
});
