import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Compilable,
  type CompiledQuery,
} from 'kysely';
import type pg from 'pg';
import type { Db } from './database.js';
import type { Database } from './schema.js';
import { Mutex } from './mutex.js';
import { statementCache, type Prepare } from './statement-cache.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * Runs queries built with `q`: the store itself, or the transaction inside `transaction(fn)`.
 * Every method returns a promise on both dialects, so a store's code is the same for both.
 */
export interface SqlExecutor {
  readonly dialect: Dialect;
  /** Builds queries, never runs them: Kysely typed by the fleet's schema, compiling to this dialect. */
  readonly q: Kysely<Database>;
  all<R>(query: Compilable<R>): Promise<R[]>;
  first<R>(query: Compilable<R>): Promise<R | undefined>;
  /** Runs a write; resolves with the number of rows it inserted, changed or deleted. */
  run(query: Compilable<unknown>): Promise<number>;
}

/** A name for each parameter of a prepared query; `$('id')` stands for the value bound later. */
export type Params<P> = <K extends keyof P & string>(name: K) => P[K];

/** A query compiled once; `bind` gives it values for one run (SQLite: one cached statement; PostgreSQL: a named one). */
export interface Prepared<P, R> {
  bind(params: P): Compilable<R>;
}

/**
 * The fleet's one store layer for SQLite and PostgreSQL (issue 15, docs/scale-out.md "PostgreSQL"):
 * each query is written once with Kysely and compiled for the store's dialect; Kysely only builds
 * SQL, and this layer runs it: on SQLite through the broker's statement cache, synchronously (the
 * promise is already settled, so the embedded ingest keeps the raw statement's CPU, measured in
 * bench/src/suites/query-layer.ts), on PostgreSQL through a `pg` pool.
 */
export interface SqlStore extends SqlExecutor {
  /**
   * Runs `fn` in one transaction and commits when it resolves, rolls back when it rejects.
   * SQLite: `BEGIN IMMEDIATE` on the one connection (takes the write lock first, as fleet workers in
   * other processes share the file), and every other query of this store waits until it ends, so two
   * async callers never interleave inside one transaction. PostgreSQL: one pooled connection.
   * Inside `fn`, run queries on `tx` only: the store itself waits for the transaction (SQLite).
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Compiles a query once, with named parameters, for the hot paths (a Kysely compile costs about
   * as much as the SQLite insert it builds).
   */
  prepare<P, R>(build: (q: Kysely<Database>, $: Params<P>) => Compilable<R>): Prepared<P, R>;
  /** Resolves when the database answers a query, rejects when it cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A Kysely that only compiles (no connection): the SQL of one dialect, typed by the schema. */
function builder(dialect: Dialect): Kysely<Database> {
  return new Kysely<Database>({
    dialect:
      dialect === 'sqlite'
        ? {
            createAdapter: () => new SqliteAdapter(),
            createDriver: () => new DummyDriver(),
            createIntrospector: (k) => new SqliteIntrospector(k),
            createQueryCompiler: () => new SqliteQueryCompiler(),
          }
        : {
            createAdapter: () => new PostgresAdapter(),
            createDriver: () => new DummyDriver(),
            createIntrospector: (k) => new PostgresIntrospector(k),
            createQueryCompiler: () => new PostgresQueryCompiler(),
          },
  });
}

/** Stands for a named parameter while a prepared query is compiled; replaced by its value on `bind`. */
class Param {
  constructor(readonly name: string) {}
}

/** A prepared query with its values: what the executors run, named so PostgreSQL prepares it once per connection. */
class BoundQuery<R> implements Compilable<R> {
  constructor(
    private readonly compiled: CompiledQuery<R>,
    private readonly values: readonly unknown[],
    readonly statementName: string,
  ) {}
  compile(): CompiledQuery<R> {
    return { ...this.compiled, parameters: this.values };
  }
}

let prepared = 0;

function prepareFor<P, R>(
  q: Kysely<Database>,
  build: (q: Kysely<Database>, $: Params<P>) => Compilable<R>,
): Prepared<P, R> {
  const $ = ((name: string) => new Param(name)) as unknown as Params<P>;
  const compiled = build(q, $).compile();
  const slots = compiled.parameters.map((p) => (p instanceof Param ? p.name : undefined));
  const constants = compiled.parameters;
  const statementName = `tp_q${++prepared}`;
  return {
    bind(params: P): Compilable<R> {
      const source = params as Record<string, unknown>;
      // An absent optional value binds NULL: both drivers refuse undefined.
      const values = slots.map((name, i) => (name === undefined ? constants[i] : (source[name] ?? null)));
      return new BoundQuery(compiled, values, statementName);
    },
  };
}

// ---- SQLite -------------------------------------------------------------------------------------

function sqliteExecutor(q: Kysely<Database>, prepare: Prepare): SqlExecutor {
  const statement = (query: Compilable<unknown>) => {
    const c = query.compile();
    return { st: prepare(c.sql), params: c.parameters as unknown[] };
  };
  return {
    dialect: 'sqlite',
    q,
    all: <R>(query: Compilable<R>) => {
      try {
        const { st, params } = statement(query);
        return Promise.resolve(st.all(params) as R[]);
      } catch (err) {
        return Promise.reject(err as Error);
      }
    },
    first: <R>(query: Compilable<R>) => {
      try {
        const { st, params } = statement(query);
        return Promise.resolve(st.get(params) as R | undefined);
      } catch (err) {
        return Promise.reject(err as Error);
      }
    },
    run: (query) => {
      try {
        const { st, params } = statement(query);
        return Promise.resolve(st.run(params).changes);
      } catch (err) {
        return Promise.reject(err as Error);
      }
    },
  };
}

/**
 * The store on a SQLite connection (the embedded default). Shares the connection and its statement
 * cache with the code that still calls better-sqlite3 directly; `owned`: `close()` closes it.
 */
export function sqliteStore(db: Db, options: { owned?: boolean } = {}): SqlStore {
  const q = builder('sqlite');
  const prepare = statementCache(db);
  const direct = sqliteExecutor(q, prepare);
  const mutex = new Mutex();
  // Outside a transaction a query runs at once, unless a transaction is open: then it waits its turn,
  // so it neither reads the transaction's uncommitted rows nor lands inside it.
  const turn =
    <A extends unknown[], T>(f: (...args: A) => Promise<T>) =>
    (...args: A): Promise<T> =>
      mutex.held ? mutex.run(() => f(...args)) : f(...args);
  return {
    dialect: 'sqlite',
    q,
    all: turn(direct.all),
    first: turn(direct.first),
    run: turn(direct.run),
    prepare: (build) => prepareFor(q, build),
    ping: async () => void prepare('SELECT 1').get(),
    transaction: (fn) =>
      mutex.run(async () => {
        prepare('BEGIN IMMEDIATE').run();
        try {
          const out = await fn(direct);
          prepare('COMMIT').run();
          return out;
        } catch (err) {
          // SQLite may have rolled back already (SQLITE_FULL, a busy timeout inside COMMIT).
          if (db.inTransaction) prepare('ROLLBACK').run();
          throw err;
        }
      }),
    // A shared connection belongs to its opener (the broker), which closes it; an owned one closes here.
    close: () => {
      if (options.owned) db.close();
      return Promise.resolve();
    },
  };
}

// ---- PostgreSQL ---------------------------------------------------------------------------------

type Queryable = Pick<pg.PoolClient, 'query'>;

function postgresExecutor(q: Kysely<Database>, client: Queryable): SqlExecutor {
  const exec = (query: Compilable<unknown>) => {
    const c = query.compile();
    const values = c.parameters as unknown[];
    return client.query(
      query instanceof BoundQuery ? { name: query.statementName, text: c.sql, values } : { text: c.sql, values },
    );
  };
  return {
    dialect: 'postgres',
    q,
    all: async <R>(query: Compilable<R>) => (await exec(query)).rows as R[],
    first: async <R>(query: Compilable<R>) => (await exec(query)).rows[0] as R | undefined,
    run: async (query) => (await exec(query)).rowCount ?? 0,
  };
}

/** The store on a PostgreSQL pool (`--database-url`); see openPostgresPool for the pool's settings. */
export function postgresStore(pool: pg.Pool): SqlStore {
  const q = builder('postgres');
  const direct = postgresExecutor(q, pool);
  return {
    ...direct,
    prepare: (build) => prepareFor(q, build),
    ping: async () => void (await pool.query('SELECT 1')),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A checked-out connection that dies between queries (the server restarts) reports it here; unheard,
      // the 'error' event would end the process. It is then dropped from the pool, not reused.
      const lost = (err: Error) => (broken = err);
      client.on('error', lost);
      try {
        await client.query('BEGIN').catch((err: Error) => {
          broken = err;
          throw err;
        });
        try {
          const out = await fn(postgresExecutor(q, client));
          await client.query('COMMIT');
          return out;
        } catch (err) {
          // A connection that cannot even roll back is dropped from the pool, not handed to the next caller.
          await client.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
          throw err;
        }
      } finally {
        client.off('error', lost);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
