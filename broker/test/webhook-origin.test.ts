import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { webhookEvent } from '@touchpoint/protocol';
import { Counters } from '../src/counters.js';
import { openDatabase } from '../src/db/database.js';
import { sqliteStore } from '../src/db/sql-store.js';
import { AuditLog } from '../src/fleet/audit.js';
import { Cases } from '../src/fleet/cases.js';
import { Devices } from '../src/fleet/devices.js';
import { LiveBus } from '../src/fleet/live.js';
import { Staff } from '../src/fleet/staff.js';
import { LiveRelay } from '../src/live-channel/live-relay.js';
import { silentLogger } from '../src/logger.js';
import { DeliveryQueue } from '../src/webhooks/deliveries.js';
import { WebhookEndpoints } from '../src/webhooks/endpoints.js';
import { WebhookProducer } from '../src/webhooks/producer.js';

/**
 * Issues 15 and 17, "queue each event once, where it happens": in cluster mode the live relay emits other
 * processes' events on a process's own LiveBus, and those were queued by their origin. The producer's rules on a
 * real SQLite file with the real relay (the processes themselves are in test/cluster/webhooks.test.ts).
 */

const dir = mkdtempSync(join(tmpdir(), 'tp-webhook-origin-'));
const db = openDatabase(join(dir, 'fleet.sqlite'));

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function processOnTheChannel() {
  const live = new LiveBus((event, err) => {
    throw new Error(`listener of ${event} failed: ${(err as Error).message}`);
  });
  const counters = new Counters();
  const relay = new LiveRelay(live, counters, silentLogger);
  const queue = new DeliveryQueue(db);
  let woken = 0;
  let remote = 0;
  const producer = new WebhookProducer(db, new WebhookEndpoints(db), queue, counters, () => woken++);
  const sources = {
    live,
    cases: new Cases(db, new AuditLog(sqliteStore(db)), live, () => Promise.resolve()),
    devices: new Devices(sqliteStore(db)),
    staff: new Staff(db),
    caseUrl: () => undefined,
  };
  const stop = producer.watch(sources, { local: () => !relay.relayingRemote, remote: () => remote++ });
  return { live, relay, queue, counters, stop, woken: () => woken, remote: () => remote };
}

describe('webhook events and the live relay (issues 15, 17)', () => {
  it("queues this process's own events once, and another process's relayed events not at all (they only wake the deliverer)", () => {
    const endpoints = new WebhookEndpoints(db);
    endpoints.add(
      {
        kind: 'webhook',
        name: 'all',
        url: 'http://127.0.0.1:9/all',
        events: ['command.result', 'error.raised'],
        enabled: true,
      },
      'test',
    );
    const p = processOnTheChannel();
    const seen: string[] = [];
    p.live.on('command', (e) => seen.push(`${e.commandId}:${e.status}`));

    p.live.emit('command', { commandId: 'c-local', deviceId: 'cm-1', status: 'succeeded' });
    expect(p.queue.list({ limit: 50 })).toHaveLength(1);
    expect(p.woken()).toBe(1);

    // The same kind of event from another process, through the relay: the console sees it, the queue does not.
    const fromWorker = {
      v: 1,
      origin: 'a-fleet-worker',
      event: { type: 'command', commandId: 'c-remote', deviceId: 'cm-1', status: 'failed', reason: 'pump' },
    };
    p.relay.receive(Buffer.from(JSON.stringify(fromWorker)));
    const raised = {
      v: 1,
      origin: 'a-fleet-worker',
      event: { type: 'event', deviceId: 'cm-1', at: 5, event: { type: 'error.raised', code: 'E03' } },
    };
    p.relay.receive(Buffer.from(JSON.stringify(raised)));
    expect(seen).toEqual(['c-local:succeeded', 'c-remote:failed']);
    expect(p.counters.get('live.relay.received')).toBe(2);
    expect(p.remote(), 'each relayed event woke the deliverer instead').toBe(2);

    // And a local event after the relayed ones is queued again: the relay's mark ends with its emit.
    p.live.emit('event', { deviceId: 'cm-1', at: 6, event: { type: 'error.raised', code: 'E04' } });
    const queued = p.queue.list({ limit: 50 }).map((d) => webhookEvent.parse(JSON.parse(bodyOf(d.id))));
    expect(queued.map((e) => [e.type, e.data.commandId ?? e.data.code]).sort()).toEqual(
      [
        ['command.result', 'c-local'],
        ['error.raised', 'E04'],
      ].sort(),
    );
    expect(p.counters.get('webhook.queued')).toBe(2);
    p.stop();
  });

  it('queues every event in the embedded broker, which has no relay (no origin given)', () => {
    const live = new LiveBus(() => {});
    const counters = new Counters();
    const queue = new DeliveryQueue(db);
    const before = queue.list({ limit: 200 }).length;
    const producer = new WebhookProducer(db, new WebhookEndpoints(db), queue, counters);
    const stop = producer.watch({
      live,
      cases: new Cases(db, new AuditLog(sqliteStore(db)), live, () => Promise.resolve()),
      devices: new Devices(sqliteStore(db)),
      staff: new Staff(db),
      caseUrl: () => undefined,
    });
    live.emit('command', { commandId: 'c-embedded', deviceId: 'cm-1', status: 'expired' });
    expect(queue.list({ limit: 200 })).toHaveLength(before + 1);
    stop();
  });
});

/** The queued event's bytes, as a delivery sends them. */
function bodyOf(id: number): string {
  return db.prepare('SELECT body FROM webhook_deliveries WHERE id = ?').pluck().get(id) as string;
}
