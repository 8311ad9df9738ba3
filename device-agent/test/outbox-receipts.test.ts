import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceTopic } from '@touchpoint/protocol';
import { createAgent, type Agent } from '../src/agent.js';
import { silentLogger } from '../src/logger.js';
import { startAedes, type TestBroker } from './helpers/aedes.js';
import { FakeBridge } from './helpers/fake-bridge.js';
import { tempDir, testConfig, waitFor } from './helpers/fixtures.js';

// Issue 15: the outbox deletes an entry on the fleet's receipt, not on the PUBACK. The test broker PUBACKs every
// report and answers with receipts the way the fleet does, unless the test withholds them.
describe('outbox publisher and receipts (real aedes, real agent, fake MCU)', () => {
  let broker: TestBroker;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let watcher: MqttClient;
  let sent: string[];
  let agent: Agent | undefined;

  beforeEach(async () => {
    broker = await startAedes();
    dir = await tempDir();
    sent = [];
    watcher = await connectAsync(broker.url, { clientId: 'fleet-watcher', reconnectPeriod: 0 });
    watcher.on('message', (_topic, payload) => sent.push((JSON.parse(payload.toString()) as { id: string }).id));
    await watcher.subscribeAsync(deviceTopic('cm-0001', 'diagnostics'), { qos: 1 });
  });
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    await watcher.endAsync(true);
    await broker.close();
    await dir.remove();
  });

  it('keeps PUBACKed reports until a receipt, sends them again in order after the wait, and deletes them on the receipt', async () => {
    agent = await createAgent(
      testConfig(dir.path, { brokerUrl: broker.url, outbox: { receiptTimeoutMs: 200, maxInflight: 4 } }),
      { createBridge: () => new FakeBridge(), logger: silentLogger },
    );
    await agent.start();
    const { outbox, connection, diagnostics, bus } = agent.services;
    await waitFor(() => connection.connected && outbox.depth === 0, 'online with an empty outbox');
    const delivered: string[] = [];
    bus.on('report.delivered', ({ messageId }) => void delivered.push(messageId));

    broker.withholdReceipts(true);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await diagnostics.snapshot('request'))!.id);
    // The window is 4 unreceipted reports: the first 4 go, are PUBACKed, and then go again, oldest first.
    await waitFor(() => sent.length >= 8, 'the first four sent twice');
    expect(sent.slice(0, 8)).toEqual([...ids.slice(0, 4), ...ids.slice(0, 4)]);
    expect(outbox.peekAll().map((e) => e.messageId)).toEqual(ids);
    expect(delivered).toEqual([]);

    const receiptsBefore = broker.receipts;
    broker.withholdReceipts(false);
    await waitFor(() => outbox.depth === 0, 'every report receipted and deleted', 10_000);
    expect(broker.receipts).toBeGreaterThan(receiptsBefore);
    expect(delivered).toEqual(ids);
    // Order on the wire stays outbox order: the last two went only after the first four were receipted.
    const firstOfFive = sent.indexOf(ids[4]!);
    expect(sent.slice(firstOfFive - 4, firstOfFive)).toEqual(ids.slice(0, 4));
  });
});
