import { sql, type Compilable, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.js';
import type { Dialect } from './sql-store.js';

/** A statement written with Kysely's `sql` template, compiled by the store's builder (so for its dialect). */
export function rawQuery<R>(q: Kysely<Database>, query: RawBuilder<R>): Compilable<R> {
  return { compile: () => query.compile(q) };
}

/**
 * The text at `path` inside a JSON text column: SQLite's `json_extract(col, '$.a.b')`, PostgreSQL's
 * `col::jsonb #>> '{a,b}'`. The path is a constant of the caller's (inlined, never a request value).
 */
export function jsonText(dialect: Dialect, column: string, path: readonly string[]): RawBuilder<string | null> {
  return dialect === 'sqlite'
    ? sql<string | null>`json_extract(${sql.ref(column)}, ${sql.lit(`$.${path.join('.')}`)})`
    : sql<string | null>`(${sql.ref(column)}::jsonb #>> ${sql.lit(`{${path.join(',')}}`)})`;
}
