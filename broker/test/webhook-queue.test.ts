import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { DeliveryQueue } from '../src/webhooks/deliveries.js';
import { WebhookEndpoints } from '../src/webhooks/endpoints.js';

/**
 * Issue 17: the webhook delivery queue on a real SQLite file (migration 013): what the worker takes, how an
 * attempt moves a delivery on, and what is pruned. The delivery loop itself is tested end to end in
 * test/webhooks/ with a real broker and receiver.
 */

const dir = mkdtempSync(join(tmpdir(), 'tp-webhook-queue-'));
const db = openDatabase(join(dir, 'fleet.sqlite'));
const endpoints = new WebhookEndpoints(db);
const queue = new DeliveryQueue(db);
const event = (id: string) => ({ id, type: 'error.raised' as const, time: 0, data: { code: 'E1' } });
const failed = { statusCode: 500, durationMs: 12, error: 'HTTP 500' };
const ok = { statusCode: 200, durationMs: 9, error: null };

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the webhook delivery queue (issue 17)', () => {
  it('takes due deliveries of enabled endpoints only, oldest first, and never one in flight', () => {
    const { endpoint: a } = endpoints.add(
      { kind: 'webhook', name: 'a', url: 'http://127.0.0.1:9/a', events: ['error.raised'], enabled: true },
      'test',
    );
    const { endpoint: off } = endpoints.add(
      { kind: 'webhook', name: 'off', url: 'http://127.0.0.1:9/b', events: ['error.raised'], enabled: false },
      'test',
    );
    const first = queue.enqueue(a.id, event('e1'), 1_000);
    const second = queue.enqueue(a.id, event('e2'), 2_000);
    queue.enqueue(off.id, event('e3'), 500);
    queue.enqueue(a.id, event('e4'), 9_000);
    expect(queue.due(5_000, 10, new Set()).map((d) => d.id)).toEqual([first, second]);
    expect(queue.due(5_000, 10, new Set([first])).map((d) => d.id)).toEqual([second]);
    expect(queue.nextDueAt()).toBe(1_000);

    queue.recordAttempt(first, failed, false, 7_000, 3_000);
    expect(queue.due(5_000, 10, new Set()).map((d) => d.id)).toEqual([second]);
    queue.recordAttempt(first, ok, true, null, 7_500);
    queue.recordAttempt(second, failed, false, null, 4_000);
    const [view] = queue.list({ endpointId: a.id, status: 'delivered', limit: 10 });
    expect(view).toMatchObject({ id: first, status: 'delivered', finishedAt: 7_500, nextAttemptAt: null });
    expect(view!.attempts).toEqual([
      { attempt: 1, at: 3_000, statusCode: 500, durationMs: 12, error: 'HTTP 500', nextAttemptAt: 7_000 },
      { attempt: 2, at: 7_500, statusCode: 200, durationMs: 9, error: null, nextAttemptAt: null },
    ]);
    expect(queue.get(second)).toMatchObject({ status: 'dead', finishedAt: 4_000 });
    expect(queue.counts().get(a.id)).toEqual({ pending: 1, dead: 1 });
  });

  it('lets one taker claim a due delivery; a claimed one is not due until given back or its lease ends', () => {
    const { endpoint } = endpoints.add(
      { kind: 'webhook', name: 'claims', url: 'http://127.0.0.1:9/c', events: ['error.raised'], enabled: true },
      'test',
    );
    const id = queue.enqueue(endpoint.id, event('e5'), 1_000);
    const due = () => queue.due(2_000, 10, new Set()).filter((d) => d.endpointId === endpoint.id);
    expect(queue.claim(id, 2_000, 20_000)).toBe(true);
    // A second taker (another process on the same database) loses, and the worker's next look skips it.
    expect(queue.claim(id, 2_000, 20_000)).toBe(false);
    expect(due()).toEqual([]);
    expect(queue.due(20_000, 10, new Set()).map((d) => d.id)).toContain(id);
    queue.release(id, 1_500);
    expect(due().map((d) => d.id)).toEqual([id]);
    db.prepare('DELETE FROM webhook_endpoints WHERE id = ?').run(endpoint.id);
  });

  it('prunes finished deliveries past their cut-off with their attempts, never a pending one', () => {
    const before = (db.prepare('SELECT COUNT(*) FROM webhook_attempts').pluck().get() as number) ?? 0;
    expect(before).toBe(3);
    // Delivered before 8 000 and dead before 3 000: the delivered one goes, the dead one (finished 4 000) stays.
    expect(queue.prune(8_000, 3_000)).toBe(1);
    expect(db.prepare('SELECT COUNT(*) FROM webhook_attempts').pluck().get()).toBe(1);
    expect(queue.prune(8_000, 5_000)).toBe(1);
    expect(
      queue
        .list({ status: 'pending', limit: 10 })
        .map((d) => d.eventId)
        .sort(),
    ).toEqual(['e3', 'e4']);
  });
});
