import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  DummyDriver,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import pg from 'pg';
import { postgresInstalled, startPostgres, type PostgresServer } from '@touchpoint/test/postgres';
import { openPostgresPool, postgresStore, sqliteStore, type SqlStore } from '@touchpoint/broker/store';
import { silentLogger } from '@touchpoint/protocol';
import { cpuMs } from '../proc-stats.js';
import { compareRows, record, type PerSystem } from '../rows.js';
import type { BenchContext, BenchSuite, SuiteResult } from '../types.js';

/**
 * Issue 15, "One query layer for both dialects ... (Kysely is the well-kept choice; measure its overhead on
 * the embedded ingest path and keep the embedded benchmarks at their goals)". The fleet's diagnostics write,
 * as broker/src/fleet/ingest.ts does it: groups of snapshots, each group one transaction of
 * insert-or-ignore-by-message-id rows, on a real SQLite file with the broker's pragmas. Once through the
 * raw prepared statement (today's path, the baseline), once through Kysely's SQLite dialect (async), and
 * through Kysely on a throwaway PostgreSQL 15 (test/helpers/postgres.ts) with the same query code.
 *
 * The schema is the broker's (broker/src/db/migrations/001-initial.ts, devices reduced to its key): the bench
 * may not import broker/src, and the broker exports no database opener.
 */

const GROUP = 32;
const DEVICES = 100;
const SQLITE_PRAGMAS = [
  // broker/src/db/database.ts, in its order.
  'journal_mode = WAL',
  'synchronous = NORMAL',
  'foreign_keys = ON',
  'busy_timeout = 5000',
  'cache_size = -65536',
  'wal_autocheckpoint = 10000',
];
const SQLITE_SCHEMA = `
CREATE TABLE devices (id TEXT PRIMARY KEY);
CREATE TABLE diagnostics (
  msg_id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id),
  ts INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  reason TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX diagnostics_device ON diagnostics(device_id, ts);`;
const PG_SCHEMA = `
CREATE TABLE devices (id TEXT PRIMARY KEY);
CREATE TABLE diagnostics (
  msg_id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id),
  ts BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  reason TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX diagnostics_device ON diagnostics(device_id, ts);`;

interface Row {
  msg_id: string;
  device_id: string;
  ts: number;
  received_at: number;
  reason: string;
  body: string;
}
interface Schema {
  devices: { id: string };
  diagnostics: Row;
}

function shape(quick: boolean) {
  return { rows: quick ? 6_400 : 64_000 };
}

/** `count` snapshots with fresh message ids: ~300-byte bodies like the ingest suite's diagnostics. */
function snapshots(tag: string, count: number): Row[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => {
    const device = `dev-${i % DEVICES}`;
    const id = `${tag}-${i}`;
    const body = JSON.stringify({
      v: 1,
      id,
      ts: now + i,
      deviceId: device,
      reason: 'periodic',
      mcu: { sensors: { boilerTemp: 92.5, waterLevel: 61, beansLevel: 40, cups: i }, errors: [] },
      agent: { link: 'online', uptimeS: 3600 + i, outbox: 0 },
    });
    return { msg_id: id, device_id: device, ts: now + i, received_at: now + i, reason: 'periodic', body };
  });
}

/** The one query for both dialects: `ON CONFLICT (msg_id) DO NOTHING` is SQLite's INSERT OR IGNORE by key. */
function insertDiagnostics(db: Kysely<Schema>, values: Row | Row[]) {
  return db
    .insertInto('diagnostics')
    .values(values)
    .onConflict((oc) => oc.column('msg_id').doNothing());
}

async function insertGroup(db: Kysely<Schema>, group: readonly Row[], perRow: boolean): Promise<number> {
  return db.transaction().execute(async (trx) => {
    if (!perRow) {
      const r = await insertDiagnostics(trx, [...group]).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n);
    }
    let stored = 0;
    for (const row of group) {
      const r = await insertDiagnostics(trx, row).executeTakeFirst();
      stored += Number(r.numInsertedOrUpdatedRows ?? 0n);
    }
    return stored;
  });
}

/**
 * The last CPU time seen of each server process: a process that ends between two readings (an
 * autovacuum worker, a closed connection's backend) keeps counting with what it had used, so the
 * total never goes down (the first runs of the store layer's rows read negative CPU without this).
 */
const serverProcessCpu = new Map<number, number>();

/** CPU of the PostgreSQL server: the postmaster and every process it runs (backends, WAL writer, checkpointer). */
function serverCpuMs(postmaster: number): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster)
        serverProcessCpu.set(Number(entry), cpuMs(Number(entry)));
    } catch {
      // The process ended while /proc was read.
    }
  }
  let total = cpuMs(postmaster);
  for (const ms of serverProcessCpu.values()) total += ms;
  return total;
}

interface System {
  label: string;
  /** Stores the rows in groups of GROUP; resolves with the count stored. */
  store(rows: readonly Row[]): Promise<number>;
  /** Extra CPU outside this process (the PostgreSQL server), in ms so far. */
  outsideCpuMs?(): number;
  close(): Promise<void>;
}

function openSqlite(path: string): Database.Database {
  const db = new Database(path);
  for (const p of SQLITE_PRAGMAS) db.pragma(p);
  db.exec(SQLITE_SCHEMA);
  const add = db.prepare('INSERT INTO devices (id) VALUES (?)');
  for (let i = 0; i < DEVICES; i++) add.run(`dev-${i}`);
  return db;
}

function groups<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += GROUP) out.push(rows.slice(i, i + GROUP));
  return out;
}

function rawSqlite(dir: string): System {
  const db = openSqlite(join(dir, 'raw.db'));
  const insert = db.prepare(
    'INSERT OR IGNORE INTO diagnostics (msg_id, device_id, ts, received_at, reason, body) VALUES (?, ?, ?, ?, ?, ?)',
  );
  // As ingest.ts flush(): one IMMEDIATE transaction per group, `.changes` tells stored from duplicate.
  const group = db.transaction((rows: readonly Row[]) => {
    let stored = 0;
    for (const r of rows) stored += insert.run(r.msg_id, r.device_id, r.ts, r.received_at, r.reason, r.body).changes;
    return stored;
  });
  return {
    label: 'raw prepared statement (SQLite)',
    store: (rows) => Promise.resolve(groups(rows).reduce((n, g) => n + group.immediate(g), 0)),
    close: async () => void db.close(),
  };
}

const COLUMNS = ['msg_id', 'device_id', 'ts', 'received_at', 'reason', 'body'] as const;

/**
 * Kysely as the query builder only: the statement text is compiled once from the same query definition
 * (Kysely's SQLite compiler, no connection) and run by a better-sqlite3 prepared statement, synchronously,
 * as today. The bound values follow the compiled parameter order, which is the row object's key order.
 */
function compiledSqlite(dir: string): System {
  const db = openSqlite(join(dir, 'compiled.db'));
  const builder = new Kysely<Schema>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new SqliteIntrospector(k),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
  const template = Object.fromEntries(
    COLUMNS.map((c) => [c, c === 'ts' || c === 'received_at' ? 0 : '']),
  ) as unknown as Row;
  const compiled = insertDiagnostics(builder, template).compile();
  if (compiled.parameters.length !== COLUMNS.length)
    throw new Error(`compiled insert has ${compiled.parameters.length} parameters: ${compiled.sql}`);
  const insert = db.prepare(compiled.sql);
  const group = db.transaction((rows: readonly Row[]) => {
    let stored = 0;
    for (const r of rows) stored += insert.run(COLUMNS.map((c) => r[c])).changes;
    return stored;
  });
  return {
    label: 'Kysely-compiled SQL, prepared once (SQLite)',
    store: (rows) => Promise.resolve(groups(rows).reduce((n, g) => n + group.immediate(g), 0)),
    close: async () => void db.close(),
  };
}

function kyselySqlite(dir: string, file: string, label: string, perRow: boolean): System {
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: openSqlite(join(dir, file)) }) });
  return {
    label,
    async store(rows) {
      let stored = 0;
      for (const g of groups(rows)) stored += await insertGroup(db, g, perRow);
      return stored;
    },
    close: () => db.destroy(),
  };
}

async function kyselyPostgres(
  server: PostgresServer,
  database: string,
  label: string,
  perRow: boolean,
  errors: string[],
): Promise<System> {
  const admin = new pg.Client({ connectionString: server.connectionString });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }
  // One connection, as the SQLite dialect has one: the figures compare the query layer, not parallelism.
  const pool = new pg.Pool({ host: server.host, port: server.port, user: server.user, database, max: 1 });
  // An idle connection's error (the server going away) is counted into the report, not thrown out of the run.
  pool.on('error', (err) => errors.push(`${label}: ${err.message}`));
  await pool.query(PG_SCHEMA);
  await pool.query('INSERT INTO devices (id) SELECT $1 || g FROM generate_series(0, $2::int - 1) AS g', [
    'dev-',
    DEVICES,
  ]);
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  const postmaster = server.pid();
  if (postmaster === undefined) throw new Error('PostgreSQL is not running');
  return {
    label,
    async store(rows) {
      let stored = 0;
      for (const g of groups(rows)) stored += await insertGroup(db, g, perRow);
      return stored;
    },
    outsideCpuMs: () => serverCpuMs(postmaster),
    close: () => db.destroy(),
  };
}

/**
 * The fleet's own store layer (broker/src/db/sql-store.ts, issue 15), the way ingest's group commit uses
 * it: on SQLite one statement prepared once per row inside `transaction()` (BEGIN IMMEDIATE, the async
 * mutex, already-settled promises); on PostgreSQL one multi-row INSERT … RETURNING per group.
 */
function storeLayer(store: SqlStore, label: string, outsideCpuMs?: () => number): System {
  const insert = store.prepare<Row, unknown>((q, $) =>
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
  const group = (rows: readonly Row[]) =>
    store.transaction(async (tx) => {
      if (tx.dialect === 'sqlite') {
        let stored = 0;
        for (const r of rows) stored += await tx.run(insert.bind(r));
        return stored;
      }
      const inserted = await tx.all(
        tx.q
          .insertInto('diagnostics')
          .values([...rows])
          .onConflict((oc) => oc.column('msg_id').doNothing())
          .returning('msg_id'),
      );
      return inserted.length;
    });
  return {
    label,
    async store(rows) {
      let stored = 0;
      for (const g of groups(rows)) stored += await group(g);
      return stored;
    },
    ...(outsideCpuMs ? { outsideCpuMs } : {}),
    close: () => store.close(),
  };
}

async function storeLayerPostgres(server: PostgresServer, database: string, label: string): Promise<System> {
  const admin = new pg.Client({ connectionString: server.connectionString });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }
  const pool = openPostgresPool({
    url: `postgres://${server.user}@${server.host}:${server.port}/${database}`,
    log: silentLogger,
    max: 1,
  });
  await pool.query(PG_SCHEMA);
  await pool.query('INSERT INTO devices (id) SELECT $1 || g FROM generate_series(0, $2::int - 1) AS g', [
    'dev-',
    DEVICES,
  ]);
  const postmaster = server.pid();
  if (postmaster === undefined) throw new Error('PostgreSQL is not running');
  return storeLayer(postgresStore(pool), label, () => serverCpuMs(postmaster));
}

const RAW = 'raw prepared statement (SQLite)';

export const suite: BenchSuite = {
  name: 'query-layer',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const s = shape(ctx.quick);
    const dir = await mkdtemp(join(tmpdir(), 'tp-bench-query-'));
    const skipped: string[] = [];
    let server: PostgresServer | undefined;
    const systems: System[] = [];
    try {
      systems.push(
        rawSqlite(dir),
        compiledSqlite(dir),
        kyselySqlite(dir, 'kysely-row.db', 'Kysely, SQLite, one INSERT per row', true),
        kyselySqlite(dir, 'kysely-group.db', 'Kysely, SQLite, one INSERT per group', false),
        storeLayer(sqliteStore(openSqlite(join(dir, 'store.db')), { owned: true }), 'the fleet store layer, SQLite'),
      );
      if (postgresInstalled()) {
        // synchronous_commit off: a commit is not fsynced before it returns, as with SQLite's WAL and
        // synchronous = NORMAL (either may lose the last commits on power loss, neither is corrupted).
        server = await startPostgres({ settings: { synchronous_commit: 'off' } });
        systems.push(
          await kyselyPostgres(server, 'q_row', 'Kysely, PostgreSQL 15, one INSERT per row', true, skipped),
          await kyselyPostgres(server, 'q_group', 'Kysely, PostgreSQL 15, one INSERT per group', false, skipped),
          await storeLayerPostgres(server, 'q_store', 'the fleet store layer, PostgreSQL 15'),
        );
      } else skipped.push('the PostgreSQL rows: postgresql is not installed (apt-get install postgresql)');

      // Warm-up (the JIT, the page caches), not measured.
      for (const [i, system] of systems.entries()) await system.store(snapshots(`warm-${i}`, Math.min(2_000, s.rows)));

      const cpu: PerSystem = new Map();
      const rate: PerSystem = new Map();
      for (let round = 0; round < ctx.rounds; round++) {
        // Rotated order, so no system always runs first (or just after PostgreSQL's checkpoints).
        const order = systems.map((_, i) => systems[(i + round) % systems.length]!);
        for (const system of order) {
          const rows = snapshots(`${systems.indexOf(system)}-r${round}`, s.rows);
          const outside0 = system.outsideCpuMs?.() ?? 0;
          const cpu0 = process.cpuUsage();
          const t0 = performance.now();
          const stored = await system.store(rows);
          const wallMs = performance.now() - t0;
          const used = process.cpuUsage(cpu0);
          const cpuUs = used.user + used.system + ((system.outsideCpuMs?.() ?? 0) - outside0) * 1000;
          if (stored !== rows.length)
            skipped.push(`${system.label}, round ${round + 1}: stored ${stored} of ${rows.length}`);
          record(cpu, system.label, round, cpuUs / rows.length);
          record(rate, system.label, round, rows.length / (wallMs / 1000));
          ctx.log(
            `query-layer round ${round + 1}/${ctx.rounds} ${system.label}: ${(cpuUs / rows.length).toFixed(1)} µs CPU/row, ${Math.round(rows.length / (wallMs / 1000))} rows/s`,
          );
        }
      }
      // Insert-or-ignore really ignores: the first group of round 1 again stores nothing.
      for (const system of systems) {
        const again = await system.store(snapshots(`${systems.indexOf(system)}-r0`, GROUP));
        if (again !== 0) skipped.push(`${system.label}: ${again} duplicates stored again`);
      }

      const pairs = systems.filter((x) => x.label !== RAW).map((x): [string, string] => [x.label, RAW]);
      const onPostgres = (note: string) =>
        Object.fromEntries(
          pairs.filter(([label]) => label.includes('PostgreSQL')).map(([a, b]) => [`${a} vs ${b}`, note]),
        );
      const cpuNotes = onPostgres('CPU of this process and of the PostgreSQL server processes');
      const rateNotes = onPostgres('one connection; the server shares the 2 cores with this process');
      return {
        suite: 'query-layer',
        loadShape: [
          `${s.rows.toLocaleString('en-US')} diagnostics rows (~300-byte bodies, fresh message ids, ${DEVICES} devices) per system and round, stored in groups of ${GROUP}, each group one transaction of insert-or-ignore by message id, as the fleet's ingest flush does.`,
          `SQLite: a fresh file per system with the broker's pragmas (WAL, synchronous NORMAL, foreign keys) and its diagnostics schema; the raw path is better-sqlite3's prepared statement in a synchronous IMMEDIATE transaction (today's ingest), Kysely 0.28's SqliteDialect on the same driver is async (one awaited query per row, or one multi-row INSERT per group); Kysely-compiled is the same query definition compiled once by Kysely's SQLite compiler and run by a prepared statement in the raw path's synchronous transaction.`,
          `PostgreSQL: the test harness's throwaway PostgreSQL 15 (synchronous_commit off, matching SQLite's WAL + NORMAL), one pooled connection, the same Kysely query code (ON CONFLICT (msg_id) DO NOTHING).`,
          `The fleet store layer: broker/src/db/sql-store.ts as ingest's group commit uses it (SQLite: a statement prepared once, run per row in transaction(), BEGIN IMMEDIATE behind its async mutex; PostgreSQL: a pg pool of one, one multi-row INSERT … RETURNING per group).`,
          `CPU per row: process.cpuUsage of this process (plus the server's processes from /proc for PostgreSQL) / rows; rows/s: wall time of one stream of groups.`,
          `${ctx.rounds} rounds after a warm-up, system order rotated each round.`,
        ].join(' '),
        rows: [
          ...compareRows(cpu, {
            metric: 'CPU per stored diagnostics row',
            unit: 'µs',
            higherIsBetter: false,
            pairs,
            notes: cpuNotes,
          }),
          ...compareRows(rate, {
            metric: 'diagnostics rows stored per second, one stream',
            unit: 'rows/s',
            higherIsBetter: true,
            pairs,
            notes: rateNotes,
          }),
        ],
        ...(skipped.length > 0 ? { skipped } : {}),
      };
    } finally {
      for (const system of systems) await system.close();
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
