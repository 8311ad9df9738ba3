import { afterEach, describe, expect, it } from 'vitest';
import type { RunningBroker } from '@touchpoint/broker';
import { DEVICE_REPORTS, deviceTopic, parseTopic } from '@touchpoint/protocol';
import { startVirtualDevice, type VirtualDevice } from '../helpers/virtual-device.js';
import { Harness, waitFor } from './harness.js';

/**
 * Issue 15, "End-to-end receipts": the agent deletes an outbox entry when the
 * fleet's receipt names it, not on the PUBACK. Real broker and fleet service,
 * real agent with the virtual coffee machine; the faults are put into the
 * broker's own hooks: receipts withheld on their way to the device, or reports
 * PUBACKed without reaching ingest (what a clustered engine does when no fleet
 * worker stores them).
 */
const RECEIPT_WAIT_MS = 300;

type Aedes = RunningBroker['aedes'];
type Forward = Aedes['authorizeForward'];
type Publish = Aedes['authorizePublish'];

/** Drops the fleet's receipts to one device while `blocked`; counts the ones dropped. */
function withholdReceipts(broker: RunningBroker, deviceId: string) {
  const original: Forward = broker.aedes.authorizeForward;
  const state = { blocked: true, dropped: 0 };
  broker.aedes.authorizeForward = (...[client, packet]: Parameters<Forward>) => {
    if (state.blocked && packet.topic === deviceTopic(deviceId, 'receipt')) {
      state.dropped++;
      return null;
    }
    return original.call(broker.aedes, client, packet);
  };
  return state;
}

/** PUBACKs one device's reports without storing them while `paused`; counts the ones swallowed. */
function pauseIngest(broker: RunningBroker, deviceId: string) {
  const original: Publish = broker.aedes.authorizePublish;
  const reports = new Set<string>(DEVICE_REPORTS);
  const state = { paused: true, swallowed: 0 };
  broker.aedes.authorizePublish = (...[client, packet, done]: Parameters<Publish>) => {
    const topic = parseTopic(packet.topic);
    if (state.paused && client?.id === deviceId && topic && reports.has(topic.kind)) {
      state.swallowed++;
      return done(null);
    }
    return original.call(broker.aedes, client, packet, done);
  };
  return state;
}

describe('end-to-end receipts (real broker and fleet, real agent, virtual MCU)', () => {
  const h = new Harness();
  afterEach(() => h.cleanup());

  async function setup(deviceId: string) {
    const broker = await h.broker(await h.tempDir('tp-broker-'));
    const device: VirtualDevice = await startVirtualDevice(broker, {
      deviceId,
      dataDir: await h.tempDir('tp-agent-'),
      pty: false,
      agent: { outbox: { receiptTimeoutMs: RECEIPT_WAIT_MS } },
    });
    h.defer(() => device.stop());
    const { outbox, connection, bus } = device.agent.services;
    // Start from a settled outbox: what the agent reported at start-up is receipted.
    await waitFor(() => connection.connected && outbox.depth === 0, 'the agent online with an empty outbox', 20_000);
    const committed: string[] = [];
    const delivered: string[] = [];
    bus.on('report.queued', ({ messageId }) => void committed.push(messageId));
    bus.on('report.delivered', ({ messageId }) => void delivered.push(messageId));
    const count = (msgId: string) =>
      (broker.fleet.db.prepare('SELECT COUNT(*) FROM diagnostics WHERE msg_id = ?').pluck().get(msgId) as number) +
      (broker.fleet.db.prepare('SELECT COUNT(*) FROM events WHERE msg_id = ?').pluck().get(msgId) as number);
    const storedIds = (table: 'diagnostics' | 'events') =>
      broker.fleet.db
        .prepare(`SELECT msg_id FROM ${table} WHERE device_id = ? ORDER BY rowid`)
        .pluck()
        .all(deviceId) as string[];
    const inOutbox = (msgId: string) => outbox.peekAll().some((e) => e.messageId === msgId);
    return { broker, device, outbox, committed, delivered, count, storedIds, inOutbox };
  }

  it('keeps a stored report until its receipt arrives; the re-send is a duplicate that is receipted and stored once', async () => {
    const s = await setup('cm-rcpt-a');
    const receipts = withholdReceipts(s.broker, 'cm-rcpt-a');
    const duplicatesBefore = s.broker.counters.get('ingest.duplicate');
    const snapshot = await s.device.agent.services.diagnostics.snapshot('request');
    if (!snapshot) throw new Error('no snapshot taken');

    await waitFor(() => s.count(snapshot.id) === 1, 'the snapshot stored by the fleet');
    // Stored and PUBACKed, but the receipt never reached the device: the entry stays, and goes again after the wait.
    await waitFor(
      () => s.broker.counters.get('ingest.duplicate') >= duplicatesBefore + 2 && receipts.dropped >= 3,
      'two re-sends, each receipted and the receipt withheld',
      10_000,
    );
    expect(s.inOutbox(snapshot.id)).toBe(true);
    expect(s.delivered).not.toContain(snapshot.id);

    receipts.blocked = false;
    await waitFor(() => s.outbox.depth === 0, 'the entry deleted on its receipt', 15_000);
    expect(s.delivered).toEqual([snapshot.id]);
    expect(s.count(snapshot.id)).toBe(1);
  });

  it('keeps reports that were PUBACKed but not stored, and stores them after recovery exactly once and in order', async () => {
    const s = await setup('cm-rcpt-b');
    const ingest = pauseIngest(s.broker, 'cm-rcpt-b');
    const services = s.device.agent.services;
    for (let i = 0; i < 3; i++) await services.diagnostics.snapshot('request');
    s.device.mcu.mcu.raise('E03');
    for (let i = 0; i < 3; i++) await services.diagnostics.snapshot('request');
    await waitFor(() => s.committed.length >= 7, 'six snapshots and the E03 event committed');
    const committed = [...s.committed];

    // Every report went out and was PUBACKed at least twice (first send and a re-send after the wait); none stored.
    await waitFor(() => ingest.swallowed >= 2 * committed.length, 'the reports sent again while ingest is paused');
    expect(committed.filter((id) => s.count(id) > 0)).toEqual([]);
    expect(committed.every((id) => s.inOutbox(id))).toBe(true);

    ingest.paused = false;
    await waitFor(() => committed.every((id) => !s.inOutbox(id)), 'the outbox drained after recovery', 20_000);
    // Exactly once each, and in commit order (rowid is arrival order) in both tables.
    expect(committed.map((id) => s.count(id))).toEqual(committed.map(() => 1));
    for (const table of ['diagnostics', 'events'] as const) {
      const stored = s.storedIds(table);
      expect(stored.filter((id) => committed.includes(id))).toEqual(committed.filter((id) => stored.includes(id)));
    }
    expect(s.storedIds('events').filter((id) => committed.includes(id))).toHaveLength(1);
    expect([...s.delivered].sort()).toEqual([...committed].sort());
  });
});
