import { backoffDelay } from '@touchpoint/protocol';
import type { Logger } from '../logger.js';
import { openDatabase } from './database.js';
import { DB_UNAVAILABLE, migratePostgres, openPostgresPool, redactDatabaseUrl } from './postgres.js';
import { postgresStore, sqliteStore, type SqlStore } from './sql-store.js';

export interface FleetStoreOptions {
  /** `postgres://…` (`--database-url`, `TOUCHPOINT_DATABASE_URL`); absent: the SQLite file below. */
  databaseUrl?: string;
  /** The SQLite fleet database (the data folder's), used when there is no database URL. */
  sqlitePath: string;
  log: Logger;
  /** Ends the wait for an unreachable PostgreSQL (the process is stopping). */
  signal?: AbortSignal;
  /** Backoff bounds between attempts (protocol's backoffDelay; default 0.2 s doubling to 10 s). */
  backoffMinMs?: number;
  backoffMaxMs?: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * The fleet's store: SQLite in the data folder by default, PostgreSQL with a database URL (issue 15).
 * PostgreSQL is migrated before the store is returned; while it cannot be reached (not started yet,
 * restarting), this waits and tries again with backoff instead of ending the process, and logs each
 * failed attempt (the URL without its password).
 */
export async function openFleetStore(options: FleetStoreOptions): Promise<SqlStore> {
  if (!options.databaseUrl) return sqliteStore(openDatabase(options.sqlitePath), { owned: true });
  const pool = openPostgresPool({ url: options.databaseUrl, log: options.log });
  for (let attempt = 0; ; attempt++) {
    try {
      await migratePostgres(pool);
      return postgresStore(pool);
    } catch (err) {
      if (options.signal?.aborted) {
        await pool.end();
        throw err;
      }
      if (isSchemaError(err)) {
        // Reachable, but a migration failed: waiting will not fix it.
        await pool.end();
        throw err;
      }
      const delay = backoffDelay(attempt, options.backoffMinMs ?? 200, options.backoffMaxMs ?? 10_000);
      options.log.warn('database unavailable; retrying', {
        url: redactDatabaseUrl(options.databaseUrl),
        code: DB_UNAVAILABLE,
        reason: (err as Error).message,
        retryInMs: delay,
      });
      await sleep(delay, options.signal);
      if (options.signal?.aborted) {
        await pool.end();
        throw new Error('stopped while waiting for the database');
      }
    }
  }
}

/** A migration that ran and failed (migratePostgres names it), as opposed to a server that cannot be reached. */
function isSchemaError(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('PostgreSQL migration ');
}
