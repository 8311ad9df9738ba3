import pg from 'pg';
import type { Logger } from '../logger.js';
import { pgMigrations } from './pg-migrations/index.js';

/** The log code of a lost or unreachable database (not a protocol error: nothing crosses to a device). */
export const DB_UNAVAILABLE = 'DB_UNAVAILABLE';

/** int8 (BIGINT, COUNT) and numeric (SUM, AVG): pg returns them as strings; the fleet's are epoch ms and counts. */
const INT8 = 20;
const NUMERIC = 1700;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 || oid === NUMERIC
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

export interface PostgresPoolOptions {
  /** `postgres://user@host:port/database` (`--database-url`, `TOUCHPOINT_DATABASE_URL`). */
  url: string;
  /** Connections at most (default 10). */
  max?: number;
  log: Logger;
}

/**
 * A pool on the fleet's PostgreSQL database. A connection that dies while idle (the server restarts)
 * is reported on the pool's `error` event, which would end the process if nobody listened: it is
 * logged, and the pool opens a new connection on the next query.
 */
export function openPostgresPool(options: PostgresPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    types,
    // A server that does not answer is an error after 10 s, not a hang of the caller.
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', (err) =>
    options.log.warn('database connection lost', { code: DB_UNAVAILABLE, reason: err.message }),
  );
  return pool;
}

/** Where a database URL may be shown (logs, errors): without its password. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable database URL)';
  }
}

/**
 * Applies the PostgreSQL migrations not yet in `schema_migrations`, each in its own transaction. An
 * advisory lock makes processes that start together (workers, API processes) take turns, so each
 * migration runs once. Returns the versions it applied.
 */
export async function migratePostgres(pool: pg.Pool): Promise<number[]> {
  const client = await pool.connect();
  const ran: number[] = [];
  let broken: Error | undefined;
  // As in the store's transactions: a connection lost between queries is reported here, not thrown.
  const lost = (err: Error) => (broken = err);
  client.on('error', lost);
  try {
    // 'tpmi' as a number: any fixed key, the same in every Touchpoint process.
    await client.query('SELECT pg_advisory_lock(1953525097)');
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      const applied = new Set(
        (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
      );
      for (const m of pgMigrations) {
        if (applied.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            m.version,
            m.name,
            Date.now(),
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`PostgreSQL migration ${m.version} (${m.name}) failed: ${(err as Error).message}`);
        }
        ran.push(m.version);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(1953525097)');
    }
  } catch (err) {
    broken = err as Error;
    throw err;
  } finally {
    client.off('error', lost);
    client.release(broken);
  }
  return ran;
}
