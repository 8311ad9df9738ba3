import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, type CommandResultMessage } from '@touchpoint/protocol';
import { generateSignerKey, signKeyList, type ListedKey } from '@touchpoint/protocol/signing';
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
import { COFFEE_PROFILE, command, signer, tempDir } from './helpers/fixtures.js';

const profile = loadProfile(COFFEE_PROFILE);
const root = generateSignerKey('root-test');
const otherRoot = generateSignerKey('root-other');
const next = generateSignerKey('fleet-next');
const pub = (k: { keyId: string; publicKeyPem: string }): ListedKey => ({
  keyId: k.keyId,
  publicKeyPem: k.publicKeyPem,
});

/**
 * The device side of key rotation (issue 12 #10): the command extension with
 * its real SQLite store, fed key lists and commands as the MQTT layer would.
 */
describe('signed key lists on the device', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: AgentDatabase;
  let bridge: FakeBridge;
  let results: CommandResultMessage[];
  let extension: CommandExtension;
  let now: number;

  function build(rootKeys = [pub(root)]): CommandExtension {
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
    const ext = new CommandExtension({
      deviceId: 'cm-0001',
      profile,
      trustedKeys: [pub(signer)],
      rootKeys,
      clockSkewMs: 30_000,
      replay: new ReplayStore(db),
      mcu: new McuLink(bridge, '/dev/ttyTEST', bus, silentLogger),
      actions: builtinActions({
        snapshot: async () => 'd',
        reconnect: () => {},
        restart: () => {},
        cacheDir: `${dir.path}/cache`,
      }),
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

  async function deliver(payload: object): Promise<CommandResultMessage[]> {
    const before = results.length;
    await extension.receive(JSON.stringify(payload));
    await extension.idle();
    return results.slice(before);
  }

  async function restart(rootKeys = [pub(root)]): Promise<void> {
    await extension.stop();
    extension = build(rootKeys);
  }

  beforeEach(async () => {
    dir = await tempDir();
    db = openAgentDatabase(dir.path);
    bridge = new FakeBridge();
    bridge.link = 'up';
    results = [];
    now = Date.now();
    extension = build();
  });
  afterEach(async () => {
    await extension.stop();
    db.close();
    await dir.remove();
  });

  it('before any list, the config key signs; a key from a newer list is not yet trusted', async () => {
    expect(extension.keyListVersion).toBe(0);
    expect((await deliver(command({ params: { size: 3 } }))).at(-1)).toMatchObject({ status: 'succeeded' });
    expect(await deliver(command({ params: { size: 4 } }, next))).toEqual([
      expect.objectContaining({ status: 'rejected', code: ErrorCode.UNTRUSTED_KEY }),
    ]);
  });

  it('a rotation: the new key runs, the revoked old key is rejected with KEY_REVOKED, and that survives a restart', async () => {
    await extension.receiveKeyList(JSON.stringify(signKeyList({ version: 2, keys: [pub(next)] }, root)));
    expect(extension.keyListVersion).toBe(2);
    expect((await deliver(command({ params: { size: 3 } }, next))).at(-1)).toMatchObject({ status: 'succeeded' });
    const revoked = await deliver(command({ params: { size: 4 } }));
    expect(revoked).toEqual([expect.objectContaining({ status: 'rejected', code: ErrorCode.KEY_REVOKED })]);
    expect(revoked[0]!.reason).toContain(`key ${signer.keyId} was dropped by key list 2`);

    await restart();
    expect(extension.keyListVersion).toBe(2);
    expect(await deliver(command({ params: { size: 5 } }))).toEqual([
      expect.objectContaining({ code: ErrorCode.KEY_REVOKED }),
    ]);
    expect((await deliver(command({ params: { size: 6 } }, next))).at(-1)).toMatchObject({ status: 'succeeded' });
    expect(bridge.runs.map((r) => r.params.size)).toEqual([3, 6]);
  });

  it('a replayed older list is refused and changes nothing, also after a restart', async () => {
    const v2 = signKeyList({ version: 2, keys: [pub(signer)] }, root);
    const v3 = signKeyList({ version: 3, keys: [pub(next)] }, root);
    await extension.receiveKeyList(JSON.stringify(v2));
    await extension.receiveKeyList(JSON.stringify(v3));
    await extension.receiveKeyList(JSON.stringify(v2));
    expect(extension.keyListVersion).toBe(3);
    expect(await deliver(command({ params: { size: 4 } }))).toEqual([
      expect.objectContaining({ code: ErrorCode.KEY_REVOKED }),
    ]);
    await restart();
    await extension.receiveKeyList(JSON.stringify(v2));
    expect(extension.keyListVersion).toBe(3);
    expect(await deliver(command({ params: { size: 4 } }))).toEqual([
      expect.objectContaining({ code: ErrorCode.KEY_REVOKED }),
    ]);
  });

  it('a list not signed by the root, or tampered with, is refused', async () => {
    await extension.receiveKeyList(JSON.stringify(signKeyList({ version: 5, keys: [pub(next)] }, otherRoot)));
    await extension.receiveKeyList(JSON.stringify(signKeyList({ version: 5, keys: [pub(next)] }, signer)));
    const genuine = signKeyList({ version: 5, keys: [pub(signer)] }, root);
    await extension.receiveKeyList(JSON.stringify({ ...genuine, keys: [pub(next)] }));
    await extension.receiveKeyList('{"not":"a list"}');
    expect(extension.keyListVersion).toBe(0);
    expect(await deliver(command({ params: { size: 4 } }, next))).toEqual([
      expect.objectContaining({ code: ErrorCode.UNTRUSTED_KEY }),
    ]);
  });

  it('the previous key keeps working during its grace window and is retired after it', async () => {
    await extension.receiveKeyList(
      JSON.stringify(signKeyList({ version: 2, keys: [pub(next), { ...pub(signer), notAfter: now + 60_000 }] }, root)),
    );
    expect((await deliver(command({ params: { size: 3 } }))).at(-1)).toMatchObject({ status: 'succeeded' });
    now += 61_000;
    const late = command({ params: { size: 4 }, issuedAt: now, expiresAt: now + 60_000 });
    const out = await deliver(late);
    expect(out).toEqual([expect.objectContaining({ code: ErrorCode.KEY_REVOKED })]);
    expect(out[0]!.reason).toContain('was retired at');
  });

  it("after a root change in the config, the old root's stored list is dropped but its version still bars older lists", async () => {
    await extension.receiveKeyList(JSON.stringify(signKeyList({ version: 4, keys: [pub(next)] }, root)));
    await restart([pub(otherRoot)]);
    expect(extension.keyListVersion).toBe(4);
    await extension.receiveKeyList(JSON.stringify(signKeyList({ version: 3, keys: [pub(next)] }, otherRoot)));
    expect(extension.keyListVersion).toBe(4);
    await extension.receiveKeyList(JSON.stringify(signKeyList({ version: 5, keys: [pub(next)] }, otherRoot)));
    expect(extension.keyListVersion).toBe(5);
    expect((await deliver(command({ params: { size: 3 } }, next))).at(-1)).toMatchObject({ status: 'succeeded' });
  });

  it('without rootKeys a device ignores key lists: its trusted keys never change', async () => {
    await restart([]);
    await extension.receiveKeyList(JSON.stringify(signKeyList({ version: 2, keys: [pub(next)] }, root)));
    expect(extension.keyListVersion).toBe(0);
    expect((await deliver(command({ params: { size: 3 } }))).at(-1)).toMatchObject({ status: 'succeeded' });
  });
});
