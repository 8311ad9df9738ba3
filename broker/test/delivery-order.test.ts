import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { deviceTopic } from '@touchpoint/protocol';
import { connect, eventually, startTestBroker, type TestBroker } from './helpers.js';

/**
 * aedes numbers a message when it starts publishing it and drops, for each subscriber, any message numbered
 * below the last one that subscriber got (its cluster dedupe). A retained message waits for the persistence
 * write before it is emitted, so a message published right after it overtook it and the retained one was
 * lost for every subscriber, after its PUBACK (moscajs/aedes#955, #994). Seen as commands that never
 * reached the agent in test/agent/commands.test.ts. The fix: transport/no-cluster-dedupe.ts.
 */
describe('every acknowledged message reaches its subscribers (aedes dedupe and emit order)', () => {
  let tb: TestBroker;
  let publisher: MqttClient;
  let subscriber: MqttClient;
  const got: string[] = [];

  beforeAll(async () => {
    tb = await startTestBroker();
    await tb.broker.fleet.provisionDevice('order-1', 'coffee-machine');
    const service = (clientId: string) =>
      connect(tb.url, { clientId, username: 'service', password: tb.broker.serviceToken });
    publisher = await service('svc-order-pub');
    subscriber = await service('svc-order-sub');
    subscriber.on('message', (_topic, payload) => got.push(payload.toString()));
    await subscriber.subscribeAsync(deviceTopic('order-1', 'keys'), { qos: 1 });
    await subscriber.subscribeAsync(deviceTopic('order-1', 'command'), { qos: 1 });
  });
  afterAll(async () => {
    await publisher?.endAsync();
    await subscriber?.endAsync();
    await tb?.cleanup();
  });

  it('delivers a retained message and the plain ones published right after it, each once', async () => {
    const sent: string[] = [];
    for (let round = 0; round < 20; round++) {
      const retained = `retained-${round}`;
      const plain = [`plain-${round}-a`, `plain-${round}-b`];
      sent.push(retained, ...plain);
      // Not awaited one by one: the three arrive together, as a busy fleet sends them.
      await Promise.all([
        publisher.publishAsync(deviceTopic('order-1', 'keys'), retained, { qos: 1, retain: true }),
        ...plain.map((p) => publisher.publishAsync(deviceTopic('order-1', 'command'), p, { qos: 1 })),
      ]);
    }
    await eventually(
      () => got.length >= sent.length,
      10_000,
      `all ${sent.length} acknowledged messages delivered`,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; missing: ${sent.filter((s) => !got.includes(s)).join(', ')}`);
    });
    expect([...got].sort()).toEqual([...sent].sort());
  });
});
