import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  migratePostgres,
  openDatabase,
  openPostgresPool,
  postgresStore,
  sqliteStore,
  type Db,
  type Dialect,
  type SqlStore,
} from '@touchpoint/broker/store';
import { silentLogger } from '@touchpoint/protocol';
import { postgresInstallHint, postgresInstalled, startPostgres, type PostgresServer } from '../helpers/postgres.js';

/**
 * The store contract tests run once per dialect (issue 15): a real SQLite file with the broker's pragmas
 * and migrations, and a real PostgreSQL 15 (test/helpers/postgres.ts) with the PostgreSQL migrations.
 * Each `openStore` gets a fresh database; one PostgreSQL server serves a whole test file.
 */
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

export interface OpenedStore {
  dialect: Dialect;
  store: SqlStore;
  /** The SQLite connection (SQLite only): what the stores not yet on the store layer use. */
  sqlite?: Db;
  /** The PostgreSQL URL of this database (PostgreSQL only). */
  url?: string;
  close(): Promise<void>;
}

let server: Promise<PostgresServer> | undefined;
let databases = 0;

/** The file's PostgreSQL server, started on first use. */
export function sharedPostgres(): Promise<PostgresServer> {
  if (!postgresInstalled()) return Promise.reject(new Error(postgresInstallHint()));
  return (server ??= startPostgres());
}

/** Stops the file's PostgreSQL server if one was started (call it in afterAll). */
export async function stopSharedPostgres(): Promise<void> {
  const running = server;
  server = undefined;
  if (running) await (await running).stop();
}

/** A fresh, migrated database of `dialect`, with the store on it. */
export async function openStore(dialect: Dialect): Promise<OpenedStore> {
  if (dialect === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'tp-store-'));
    const db = openDatabase(join(dir, 'fleet.db'));
    return {
      dialect,
      store: sqliteStore(db),
      sqlite: db,
      close: async () => {
        db.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const pgServer = await sharedPostgres();
  const name = `store_${++databases}`;
  const admin = new pg.Client({ connectionString: pgServer.connectionString });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = `postgres://${pgServer.user}@${pgServer.host}:${pgServer.port}/${name}`;
  const pool = openPostgresPool({ url, log: silentLogger });
  await migratePostgres(pool);
  const store = postgresStore(pool);
  return { dialect, store, url, close: () => store.close() };
}
