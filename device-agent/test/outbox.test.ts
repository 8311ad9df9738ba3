import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { Outbox } from '../src/outbox/outbox.js';
import { openAgentDatabase, type AgentDatabase } from '../src/store/database.js';
import { tempDir } from './helpers/fixtures.js';

describe('Outbox', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: AgentDatabase;

  beforeEach(async () => {
    dir = await tempDir();
    db = openAgentDatabase(dir.path);
  });
  afterEach(async () => {
    if (db.open) db.close();
    await dir.remove();
  });

  const big = { maxBytes: 1 << 20, maxEntries: 1000 };

  it('hands entries out in order, keeps them until receipted, and sends unreceipted ones again after a rewind', () => {
    const outbox = new Outbox(db, big, silentLogger);
    for (let i = 1; i <= 5; i++) outbox.enqueue(i % 2 ? 'diagnostics' : 'event', 't', `m${i}`, `{"n":${i}}`);
    expect(outbox.take(3, 1_000).map((e) => e.messageId)).toEqual(['m1', 'm2', 'm3']);
    expect(outbox.take(10, 2_000).map((e) => e.messageId)).toEqual(['m4', 'm5']);
    expect(outbox.outstanding).toBe(5);
    expect(outbox.oldestSentAt).toBe(1_000);
    // A receipt names message ids; one the outbox does not hold (settled before) is skipped.
    expect(outbox.settle(['m1', 'm2', 'gone'])).toEqual([
      { seq: 1, kind: 'diagnostics', messageId: 'm1' },
      { seq: 2, kind: 'event', messageId: 'm2' },
    ]);
    expect(outbox.settle(['m2'])).toEqual([]);
    expect(outbox.depth).toBe(3);
    expect(outbox.outstanding).toBe(3);
    expect(outbox.oldestSentAt).toBe(1_000);
    outbox.rewind();
    expect(outbox.outstanding).toBe(0);
    expect(outbox.oldestSentAt).toBeUndefined();
    expect(outbox.take(10).map((e) => e.messageId)).toEqual(['m3', 'm4', 'm5']);
  });

  it('settles an entry that a rewind put back before it went again (a late receipt)', () => {
    const outbox = new Outbox(db, big, silentLogger);
    outbox.enqueue('event', 't', 'a', '{}');
    outbox.enqueue('event', 't', 'b', '{}');
    outbox.take(2);
    outbox.rewind();
    expect(outbox.settle(['a']).map((e) => e.messageId)).toEqual(['a']);
    expect(outbox.take(10).map((e) => e.messageId)).toEqual(['b']);
  });

  it('survives a reopen (restart): same entries, same order', () => {
    const outbox = new Outbox(db, big, silentLogger);
    outbox.enqueue('event', 't', 'a', '{}');
    outbox.enqueue('result', 't', 'b', '{}');
    outbox.settle([outbox.take(1)[0]!.messageId]);
    db.close();
    db = openAgentDatabase(dir.path);
    const reopened = new Outbox(db, big, silentLogger);
    expect(reopened.depth).toBe(1);
    expect(reopened.take(10).map((e) => [e.kind, e.messageId, e.payload.toString()])).toEqual([['result', 'b', '{}']]);
  });

  it('over its bound drops the oldest telemetry first, keeps events/results/cases, and counts drops across restarts', () => {
    const outbox = new Outbox(db, { maxBytes: 1 << 20, maxEntries: 4 }, silentLogger);
    outbox.enqueue('diagnostics', 't', 'd1', '{}');
    outbox.enqueue('event', 't', 'e1', '{}');
    outbox.enqueue('diagnostics', 't', 'd2', '{}');
    outbox.enqueue('result', 't', 'r1', '{}');
    outbox.enqueue('case', 't', 'c1', '{}');
    outbox.enqueue('diagnostics', 't', 'd3', '{}');
    expect(outbox.peekAll().map((e) => e.messageId)).toEqual(['e1', 'r1', 'c1', 'd3']);
    expect(outbox.dropped).toBe(2);
    // Only non-telemetry left besides the newest diagnostics: the bound is exceeded rather than losing an event.
    outbox.enqueue('event', 't', 'e2', '{}');
    outbox.enqueue('event', 't', 'e3', '{}');
    expect(outbox.peekAll().map((e) => e.messageId)).toEqual(['e1', 'r1', 'c1', 'e2', 'e3']);
    expect(outbox.dropped).toBe(3);
    db.close();
    db = openAgentDatabase(dir.path);
    expect(new Outbox(db, big, silentLogger).dropped).toBe(3);
  });

  it('bounds by bytes too and never drops an entry that is out awaiting its receipt', () => {
    const outbox = new Outbox(db, { maxBytes: 100, maxEntries: 1000 }, silentLogger);
    const payload = JSON.stringify({ pad: 'x'.repeat(30) }); // 40 bytes
    outbox.enqueue('diagnostics', 't', 'd1', payload);
    outbox.enqueue('diagnostics', 't', 'd2', payload);
    expect(outbox.take(1)[0]!.messageId).toBe('d1');
    outbox.enqueue('diagnostics', 't', 'd3', payload);
    expect(outbox.peekAll().map((e) => e.messageId)).toEqual(['d1', 'd3']);
    expect(outbox.sizeBytes).toBe(80);
    expect(outbox.dropped).toBe(1);
  });
});
