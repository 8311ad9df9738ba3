import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  deviceTopic,
  header,
  parseTopic,
  type DeviceEventMessage,
  type PresenceMessage,
  type Result,
} from '@touchpoint/protocol';
import { retentionFromFlags } from '../src/cli/retention-flags.js';
import type { Ingest, IngestOutcome } from '../src/fleet/ingest.js';
import { connect, diagnostics, eventually, startTestBroker, type TestBroker } from './helpers.js';

// Issue 12 #9 / DESIGN.md §3.5: diagnostics, events and presence history are kept for a configurable time.
const DAY = 24 * 60 * 60 * 1000;
const BATCH = 10;

let tb: TestBroker;
const tokens = new Map<string, string>();
const clients: mqtt.MqttClient[] = [];

function device(id: string) {
  return connect(tb.url, { clientId: id, username: id, password: tokens.get(id)! }).then((c) => (clients.push(c), c));
}
const count = (table: string, deviceId: string) =>
  tb.broker.fleet.db.prepare(`SELECT COUNT(*) FROM ${table} WHERE device_id = ?`).pluck().get(deviceId) as number;

/**
 * Stores a message as if it had been received at `at`: the path the publish hook takes (`submit`), with the
 * broker's clock set back; a diagnostics snapshot waits for its group commit, so the group is committed at once.
 */
async function storeAt(
  deviceId: string,
  kind: 'diagnostics' | 'events' | 'presence',
  payload: unknown,
  at: number,
  ingest: Ingest = tb.broker.fleet.ingest,
): Promise<void> {
  const answer = new Promise<{ error: Error | null; result?: Result<IngestOutcome> }>((resolve) =>
    ingest.submit(
      parseTopic(deviceTopic(deviceId, kind))!,
      Buffer.from(JSON.stringify(payload)),
      (error, result) => resolve({ error, result }),
      at,
    ),
  );
  await ingest.flush();
  const { error, result } = await answer;
  if (!result?.ok || result.value !== 'stored')
    throw new Error(`not stored: ${error?.message ?? JSON.stringify(result)}`);
}
const errorEvent = (deviceId: string, at: number): DeviceEventMessage => ({
  ...header(at),
  deviceId,
  event: { type: 'error.raised', code: 'E05' },
});
const online = (deviceId: string, at: number): PresenceMessage => ({
  ...header(at),
  deviceId,
  state: 'online',
  connectionId: `c-${at}`,
});

beforeAll(async () => {
  tb = await startTestBroker({
    retention: {
      batchRows: BATCH,
      diagnostics: { maxAgeMs: 30 * DAY, maxRowsPerDevice: 20 },
      events: { maxAgeMs: 90 * DAY },
      presence: { maxAgeMs: 90 * DAY },
    },
  });
  for (const id of ['cm-old', 'cm-idle', 'cm-busy'])
    tokens.set(id, (await tb.broker.fleet.provisionDevice(id, 'coffee-machine')).token);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
});
afterAll(async () => {
  await tb.cleanup();
});

describe('retention', () => {
  it('deletes rows past their age in small batches and keeps the recent ones', async () => {
    const now = Date.now();
    // 25 diagnostics 40 days old (past 30), 25 events and presence rows 100 days old (past 90), some not yet due.
    for (let i = 0; i < 25; i++) {
      await storeAt('cm-old', 'diagnostics', diagnostics('cm-old', { ts: now - 40 * DAY + i }), now - 40 * DAY + i);
      await storeAt('cm-old', 'events', errorEvent('cm-old', now - 100 * DAY + i), now - 100 * DAY + i);
      await storeAt('cm-old', 'presence', online('cm-old', now - 100 * DAY + i), now - 100 * DAY + i);
    }
    await storeAt('cm-old', 'events', errorEvent('cm-old', now - 60 * DAY), now - 60 * DAY);
    await storeAt('cm-old', 'presence', online('cm-old', now - 60 * DAY), now - 60 * DAY);
    // An idle device's only snapshots are old: its newest stays, the console's last known state.
    for (let i = 0; i < 3; i++)
      await storeAt('cm-idle', 'diagnostics', diagnostics('cm-idle', { ts: now - 50 * DAY + i }), now - 50 * DAY + i);
    // And rows received now, through the real broker.
    const c = await device('cm-old');
    const fresh = diagnostics('cm-old');
    await c.publishAsync(deviceTopic('cm-old', 'diagnostics'), JSON.stringify(fresh), { qos: 1 });
    await c.publishAsync(deviceTopic('cm-old', 'events'), JSON.stringify(errorEvent('cm-old', Date.now())), { qos: 1 });

    const presenceBefore = count('presence_history', 'cm-old');
    // One pass never deletes more than a batch per table, and says there is more to do.
    const first = tb.broker.fleet.retention.sweep(now);
    expect(first.deleted).toEqual({ diagnostics: BATCH, events: BATCH, presence: BATCH, bundles: 0 });
    expect(first.more).toBe(true);
    const rest = tb.broker.fleet.retention.sweepAll(now);
    expect(rest).toEqual({ diagnostics: 25 - BATCH + 2, events: 25 - BATCH, presence: 25 - BATCH, bundles: 0 });

    expect(
      tb.broker.fleet.db.prepare('SELECT msg_id FROM diagnostics WHERE device_id = ?').pluck().all('cm-old'),
    ).toEqual([fresh.id]);
    expect(count('diagnostics', 'cm-idle')).toBe(1);
    expect(tb.broker.fleet.db.prepare('SELECT ts FROM diagnostics WHERE device_id = ?').pluck().get('cm-idle')).toBe(
      now - 50 * DAY + 2,
    );
    expect(count('events', 'cm-old')).toBe(2);
    expect(count('presence_history', 'cm-old')).toBe(presenceBefore - 25);
    // Nothing left: a further pass deletes nothing and is done.
    expect(tb.broker.fleet.retention.sweep(now)).toEqual({
      deleted: { diagnostics: 0, events: 0, presence: 0, bundles: 0 },
      more: false,
    });
    // A month later the fresh rows are due too (the clock is injected, not waited for) — all but the newest snapshot.
    tb.broker.fleet.retention.sweepAll(now + 31 * DAY);
    expect(count('diagnostics', 'cm-old')).toBe(1);
  });

  it('keeps at most the configured rows per device, the newest', async () => {
    const c = await device('cm-busy');
    const sent = Array.from({ length: 45 }, (_, i) => diagnostics('cm-busy', { ts: Date.now() - 1_000 + i }));
    for (const m of sent) await c.publishAsync(deviceTopic('cm-busy', 'diagnostics'), JSON.stringify(m), { qos: 1 });
    expect(count('diagnostics', 'cm-busy')).toBe(45);
    tb.broker.fleet.retention.sweepAll();
    const kept = tb.broker.fleet.db
      .prepare('SELECT msg_id FROM diagnostics WHERE device_id = ? ORDER BY ts')
      .pluck()
      .all('cm-busy');
    expect(kept).toEqual(sent.slice(-20).map((m) => m.id));
    expect(tb.broker.fleet.retention.deletedTotals.diagnostics).toBeGreaterThanOrEqual(25);
  });
});

describe('retention timer', () => {
  it('runs with the broker: old rows go without anyone calling sweep', async () => {
    const own = await startTestBroker({ retention: { intervalMs: 50, busyPauseMs: 5, batchRows: 5 } });
    try {
      await own.broker.fleet.provisionDevice('cm-timer', 'coffee-machine');
      const now = Date.now();
      for (let i = 0; i < 12; i++)
        await storeAt(
          'cm-timer',
          'events',
          errorEvent('cm-timer', now - 100 * DAY + i),
          now - 100 * DAY + i,
          own.broker.fleet.ingest,
        );
      await storeAt('cm-timer', 'events', errorEvent('cm-timer', now), now, own.broker.fleet.ingest);
      const left = () =>
        own.broker.fleet.db
          .prepare('SELECT COUNT(*) FROM events WHERE device_id = ?')
          .pluck()
          .get('cm-timer') as number;
      await eventually(() => left() === 1, 5_000, 'the retention timer to delete the old events');
      expect(own.broker.fleet.retention.deletedTotals.events).toBe(12);
    } finally {
      await own.cleanup();
    }
  });
});

describe('retention flags', () => {
  it('reads days from the broker command flags, then the environment, and refuses anything else', () => {
    expect(
      retentionFromFlags(
        { 'diagnostics-retention-days': '7' },
        { TP_EVENTS_RETENTION_DAYS: '365', TP_DIAGNOSTICS_RETENTION_DAYS: '1' },
      ),
    ).toEqual({ diagnostics: { maxAgeMs: 7 * DAY }, events: { maxAgeMs: 365 * DAY } });
    expect(retentionFromFlags({ 'presence-retention-days': '0' }, {})).toEqual({ presence: { maxAgeMs: 0 } });
    expect(() => retentionFromFlags({ 'events-retention-days': 'forever' }, {})).toThrow(
      /--events-retention-days must be a number of days/,
    );
    expect(() => retentionFromFlags({}, { TP_PRESENCE_RETENTION_DAYS: '-1' })).toThrow(/presence-retention-days/);
  });
});
