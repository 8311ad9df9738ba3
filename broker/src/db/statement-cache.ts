import type { Statement } from 'better-sqlite3';
import type { Db } from './database.js';

/**
 * better-sqlite3 compiles SQL on every `prepare`; on hot paths (each command,
 * each API request) that costs more than running the statement. This returns a
 * `prepare` that compiles each distinct SQL string once per database.
 */
export type Prepare = (sql: string) => Statement;

const caches = new WeakMap<Db, Map<string, Statement>>();

export function statementCache(db: Db): Prepare {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const statements = cache;
  return (sql) => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
}
