import { UsageError } from '@touchpoint/protocol';
import { redactDatabaseUrl } from '../db/postgres.js';

/**
 * `--database-url`, else $TOUCHPOINT_DATABASE_URL, else undefined (the data folder's SQLite file).
 * Only PostgreSQL URLs (issue 15). A password on the command line is refused: it would show in the
 * process list; put it in the environment variable, PGPASSWORD or ~/.pgpass instead (pg reads both).
 */
export function resolveDatabaseUrl(flag: string | undefined): string | undefined {
  const value = flag ?? process.env.TOUCHPOINT_DATABASE_URL;
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError('--database-url must be a URL like postgres://touchpoint@10.0.0.7:5432/fleet');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new UsageError(`--database-url must be a postgres:// URL, got ${JSON.stringify(url.protocol)}`);
  if (flag !== undefined && url.password)
    throw new UsageError(
      '--database-url carries no password (it would show in the process list): use TOUCHPOINT_DATABASE_URL, PGPASSWORD or ~/.pgpass',
    );
  return value;
}

/**
 * For the commands whose stores are still SQLite only (issue 15, docs/scale-out.md "PostgreSQL"): a
 * line saying so when the operator set a database URL, so a broker started next to
 * PostgreSQL workers does not look as if it used the same database. Undefined when none is set.
 */
export function sqliteOnlyNotice(command: string): string | undefined {
  const url = process.env.TOUCHPOINT_DATABASE_URL;
  if (!url) return undefined;
  return `TOUCHPOINT_DATABASE_URL (${redactDatabaseUrl(url)}) is not used by touchpoint ${command} yet: its stores are SQLite only, in the data folder; only fleet-worker and engine-auth run on PostgreSQL (docs/scale-out.md, "PostgreSQL")`;
}
