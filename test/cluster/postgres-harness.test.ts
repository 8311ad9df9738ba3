import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresInstallHint, postgresInstalled, startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { eventually } from '../helpers/virtual-device.js';

// Issue 15, "the tests start ... a PostgreSQL instance on loopback ports in temp folders, and stop them",
// and the drill "restart PostgreSQL during ingest": the harness itself, a real PostgreSQL 15.
// Real parts, not skipped: without the postgresql package this fails and says how to install it.

interface Schema {
  diagnostics: { msg_id: string; device_id: string; ts: number };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let server: PostgresServer;
let pool: pg.Pool;
let db: Kysely<Schema>;
const poolErrors: string[] = [];

describe('PostgreSQL test harness', () => {
  beforeAll(async () => {
    if (!postgresInstalled()) throw new Error(postgresInstallHint());
    server = await startPostgres();
    console.info(`PostgreSQL started in ${server.startMs} ms on port ${server.port}`);
    pool = new pg.Pool({ connectionString: server.connectionString, max: 2 });
    // An idle pooled connection ended by the server's shutdown is reported here, not thrown.
    pool.on('error', (err) => poolErrors.push(err.message));
    db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  }, 90_000);
  afterAll(async () => {
    await db?.destroy();
    if (!server) return;
    const pid = server.pid();
    await server.stop();
    expect(existsSync(server.dir), 'temp folder removed by stop()').toBe(false);
    if (pid !== undefined) expect(alive(pid), 'postmaster still running after stop()').toBe(false);
  }, 60_000);

  it('serves the test database on 127.0.0.1 only, with its socket in the temp folder', async () => {
    const { rows } = await pool.query<{ db: string; usr: string; listen: string; sockets: string }>(
      "SELECT current_database() AS db, current_user AS usr, current_setting('listen_addresses') AS listen, current_setting('unix_socket_directories') AS sockets",
    );
    expect(rows[0]).toEqual({ db: 'touchpoint', usr: 'tp', listen: '127.0.0.1', sockets: join(server.dir, 'sock') });
    // The unix socket answers too (pg takes a folder as host).
    const viaSocket = new pg.Client({
      host: join(server.dir, 'sock'),
      port: server.port,
      user: 'tp',
      database: 'touchpoint',
    });
    await viaSocket.connect();
    try {
      expect((await viaSocket.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    } finally {
      await viaSocket.end();
    }
  });

  it('keeps committed rows across a fast shutdown and a start on the same folder', async () => {
    await db.schema
      .createTable('diagnostics')
      .addColumn('msg_id', 'text', (c) => c.primaryKey())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('ts', 'bigint', (c) => c.notNull())
      .execute();
    const rows = Array.from({ length: 50 }, (_, i) => ({ msg_id: `m-${i}`, device_id: `cm-${i % 5}`, ts: 1_000 + i }));
    await db.insertInto('diagnostics').values(rows).execute();
    // A second insert of the same ids stores nothing: ON CONFLICT DO NOTHING is SQLite's INSERT OR IGNORE.
    const again = await db
      .insertInto('diagnostics')
      .values(rows.slice(0, 10))
      .onConflict((oc) => oc.column('msg_id').doNothing())
      .executeTakeFirst();
    expect(again.numInsertedOrUpdatedRows).toBe(0n);

    const before = server.pid();
    expect(before).toBeDefined();
    await server.shutdown();
    expect(server.pid()).toBeUndefined();
    expect(alive(before!), 'postmaster gone after shutdown()').toBe(false);
    // While it is down a query fails with a connection error (what a worker's backoff will see).
    await expect(pool.query('SELECT 1')).rejects.toThrow(/ECONNREFUSED|terminat|Connection/i);

    await server.start();
    expect(server.pid()).not.toBe(before);
    // The pooled connection the shutdown ended was reported on the pool's error event.
    await eventually(() => poolErrors.length > 0, 'the pool to report its terminated connection');
    const kept = await db
      .selectFrom('diagnostics')
      .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.max('ts').as('newest')])
      .executeTakeFirstOrThrow();
    expect({ n: Number(kept.n), newest: Number(kept.newest) }).toEqual({ n: 50, newest: 1_049 });
  });
});

describe('PostgreSQL test harness without the binaries', () => {
  it('fails with the install hint', async () => {
    await expect(startPostgres({ binDir: '/nonexistent/postgresql/15/bin' })).rejects.toThrow(
      'PostgreSQL 15 is not installed (/nonexistent/postgresql/15/bin/postgres missing): apt-get install postgresql',
    );
  });
});
