import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqlStore } from '@touchpoint/broker/store';
import { DIALECTS, openStore, stopSharedPostgres, type OpenedStore } from './dialects.js';

// Issue 15, "one query layer for both dialects": the store layer itself (broker/src/db/sql-store.ts),
// on a real SQLite file and a real PostgreSQL 15.

afterAll(stopSharedPostgres, 60_000);

/** A promise and its resolver: lets a test hold a transaction open across real event-loop turns. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Resolves after a timer: a macrotask, so other callers' I/O and queries get their turn. */
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

async function addDevice(store: SqlStore, id: string): Promise<void> {
  await store.run(
    store.q.insertInto('devices').values({ id, model: 'coffee', token_hash: Buffer.alloc(32, 1), created_at: 1 }),
  );
}

describe.each(DIALECTS)('store layer on %s', (dialect) => {
  let opened: OpenedStore;
  let store: SqlStore;
  beforeEach(async () => {
    opened = await openStore(dialect);
    store = opened.store;
    await addDevice(store, 'd1');
  }, 90_000);
  afterEach(() => opened.close());

  const diag = (msgId: string, ts: number) => ({
    msg_id: msgId,
    device_id: 'd1',
    ts,
    received_at: ts + 1,
    reason: 'periodic',
    body: '{}',
  });

  it('runs a prepared insert-or-ignore by message id and reads millisecond times back as numbers', async () => {
    const insert = store.prepare<ReturnType<typeof diag>, unknown>((q, $) =>
      q
        .insertInto('diagnostics')
        .values({
          msg_id: $('msg_id'),
          device_id: $('device_id'),
          ts: $('ts'),
          received_at: $('received_at'),
          reason: $('reason'),
          body: $('body'),
        })
        .onConflict((oc) => oc.column('msg_id').doNothing()),
    );
    const ts = 1_790_000_000_123; // past 2^32: a BIGINT in PostgreSQL
    expect(await store.run(insert.bind(diag('m1', ts)))).toBe(1);
    expect(await store.run(insert.bind(diag('m1', ts + 5)))).toBe(0);
    expect(await store.run(insert.bind(diag('m2', ts + 7)))).toBe(1);
    const rows = await store.all(
      store.q.selectFrom('diagnostics').select(['msg_id', 'ts', 'received_at']).orderBy('ts'),
    );
    expect(rows).toEqual([
      { msg_id: 'm1', ts, received_at: ts + 1 },
      { msg_id: 'm2', ts: ts + 7, received_at: ts + 8 },
    ]);
    const count = await store.first(store.q.selectFrom('diagnostics').select((eb) => eb.fn.countAll<number>().as('n')));
    expect(count).toEqual({ n: 2 });
  });

  it('commits a transaction that resolves and rolls back one that rejects', async () => {
    await store.transaction(async (tx) => {
      await tx.run(tx.q.insertInto('diagnostics').values(diag('kept', 1)));
    });
    await expect(
      store.transaction(async (tx) => {
        await tx.run(tx.q.insertInto('diagnostics').values(diag('undone', 2)));
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('the caller changed its mind');
    // A failing statement inside rolls back the whole transaction too (the duplicate key).
    await expect(
      store.transaction(async (tx) => {
        await tx.run(tx.q.insertInto('diagnostics').values(diag('also-undone', 3)));
        await tx.run(tx.q.insertInto('diagnostics').values(diag('kept', 4)));
      }),
    ).rejects.toThrow(/UNIQUE|unique|duplicate/);
    const ids = await store.all(store.q.selectFrom('diagnostics').select('msg_id'));
    expect(ids.map((r) => r.msg_id)).toEqual(['kept']);
  });

  it('keeps other callers out of an open transaction: no dirty read, and their writes survive its rollback', async () => {
    const hold = gate();
    const inside = gate();
    const tx = store.transaction(async (t) => {
      await t.run(t.q.insertInto('diagnostics').values(diag('rolled-back', 1)));
      inside.open();
      await hold.opened;
      throw new Error('rollback');
    });
    const txSettled = tx.catch((err: Error) => err.message);
    await inside.opened;
    // Issued while the transaction is open, across real event-loop turns.
    const read = store.first(store.q.selectFrom('diagnostics').select('msg_id').where('msg_id', '=', 'rolled-back'));
    const write = store.run(store.q.insertInto('diagnostics').values(diag('outside', 2)));
    await nextTurn();
    hold.open();
    expect(await txSettled).toBe('rollback');
    expect(await read).toBeUndefined();
    expect(await write).toBe(1);
    const ids = await store.all(store.q.selectFrom('diagnostics').select('msg_id'));
    expect(ids.map((r) => r.msg_id)).toEqual(['outside']);
  });

  it('serialises read-then-write transactions that wait on I/O in between', async () => {
    await store.run(store.q.insertInto('diagnostics').values(diag('counter', 0)));
    // Each reads the counter, waits a real turn (as a caller awaiting the network would), writes it + 1.
    // Atomic on SQLite by the store's one-transaction-at-a-time; on PostgreSQL by the row lock FOR UPDATE takes.
    const bump = () =>
      store.transaction(async (tx) => {
        let select = tx.q.selectFrom('diagnostics').select('ts').where('msg_id', '=', 'counter');
        if (tx.dialect === 'postgres') select = select.forUpdate();
        const row = await tx.first(select);
        await nextTurn();
        await tx.run(
          tx.q
            .updateTable('diagnostics')
            .set({ ts: (row?.ts ?? 0) + 1 })
            .where('msg_id', '=', 'counter'),
        );
      });
    await Promise.all(Array.from({ length: 5 }, bump));
    const row = await store.first(store.q.selectFrom('diagnostics').select('ts').where('msg_id', '=', 'counter'));
    expect(row?.ts).toBe(5);
  });

  it('keeps binary columns as bytes', async () => {
    const row = await store.first(store.q.selectFrom('devices').select('token_hash').where('id', '=', 'd1'));
    expect(Buffer.isBuffer(row?.token_hash)).toBe(true);
    expect(row?.token_hash.equals(Buffer.alloc(32, 1))).toBe(true);
  });
});

describe('store layer on postgres, when the server ends a connection', () => {
  let opened: OpenedStore;
  let store: SqlStore;
  beforeEach(async () => {
    opened = await openStore('postgres');
    store = opened.store;
    await addDevice(store, 'd1');
  }, 90_000);
  afterEach(() => opened.close());

  const diag = (msgId: string, ts: number) => ({
    msg_id: msgId,
    device_id: 'd1',
    ts,
    received_at: ts + 1,
    reason: 'periodic',
    body: '{}',
  });

  it('rejects a transaction whose connection the server ends between queries, and serves the next one', async () => {
    const ended = gate();
    const outcome = store
      .transaction(async (tx) => {
        const me = await tx.first(tx.q.selectNoFrom(sql<number>`pg_backend_pid()`.as('pid')));
        const admin = new pg.Client({ connectionString: opened.url });
        await admin.connect();
        try {
          await admin.query('SELECT pg_terminate_backend($1)', [me!.pid]);
        } finally {
          await admin.end();
        }
        // Idle, checked out, and its server process gone: the error arrives between queries.
        await nextTurn();
        ended.open();
        await tx.run(tx.q.insertInto('diagnostics').values(diag('after-kill', 1)));
      })
      .then(
        () => 'committed',
        (err: Error) => err.message,
      );
    await ended.opened;
    expect(await outcome).toMatch(/terminat|Connection/i);
    expect(await store.run(store.q.insertInto('diagnostics').values(diag('next', 2)))).toBe(1);
  });
});
