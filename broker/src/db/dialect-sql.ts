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

/**
 * Whether the JSON array of strings in a text column holds `value`: SQLite's `json_each`, PostgreSQL's
 * `@>` on jsonb. `value` is bound as a parameter.
 */
export function jsonArrayHas(dialect: Dialect, column: string, value: string): RawBuilder<boolean> {
  return dialect === 'sqlite'
    ? sql<boolean>`EXISTS (SELECT 1 FROM json_each(${sql.ref(column)}) WHERE value = ${value})`
    : sql<boolean>`(${sql.ref(column)}::jsonb @> jsonb_build_array(${value}::text))`;
}
