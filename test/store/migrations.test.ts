import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePostgres, openPostgresPool, type Db } from '@touchpoint/broker/store';
import { silentLogger } from '@touchpoint/protocol';
import { openStore, stopSharedPostgres, type OpenedStore } from './dialects.js';

// Issue 15, "numbered migrations for both": the SQLite set and its PostgreSQL twin, each applied to a
// real database, end with the same tables, columns, indexes and schema_migrations rows.

type ColumnKind = 'integer' | 'text' | 'bytes';
interface Column {
  table: string;
  column: string;
  kind: ColumnKind;
  notNull: boolean;
  primaryKey: boolean;
}

function kindOf(type: string): ColumnKind {
  const t = type.toLowerCase();
  if (t === 'integer' || t === 'bigint') return 'integer';
  if (t === 'text') return 'text';
  if (t === 'blob' || t === 'bytea') return 'bytes';
  throw new Error(`unexpected column type ${type}`);
}

function sqliteColumns(db: Db): Column[] {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  return tables.flatMap((table) =>
    (db.pragma(`table_info(${table})`) as { name: string; type: string; notnull: number; pk: number }[]).map((c) => ({
      table,
      column: c.name,
      kind: kindOf(c.type),
      // A SQLite primary key allows NULL unless declared NOT NULL; PostgreSQL's never does: compare keys apart.
      notNull: c.notnull === 1 || c.pk > 0,
      primaryKey: c.pk > 0,
    })),
  );
}

async function postgresColumns(pool: pg.Pool): Promise<Column[]> {
  const { rows } = await pool.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
    pk: boolean;
  }>(`
    SELECT c.table_name, c.column_name, c.data_type, c.is_nullable,
      EXISTS (
        SELECT 1 FROM information_schema.table_constraints tc
        JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name, table_name)
        WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_name = c.table_name AND k.column_name = c.column_name
      ) AS pk
    FROM information_schema.columns c WHERE c.table_schema = 'public'`);
  return rows.map((r) => ({
    table: r.table_name,
    column: r.column_name,
    kind: kindOf(r.data_type),
    notNull: r.is_nullable === 'NO',
    primaryKey: r.pk,
  }));
}

const byName = (a: Column, b: Column) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`);

describe('migrations for SQLite and PostgreSQL', () => {
  let sqlite: OpenedStore;
  let postgres: OpenedStore;
  let pool: pg.Pool;

  beforeAll(async () => {
    sqlite = await openStore('sqlite');
    postgres = await openStore('postgres');
    pool = openPostgresPool({ url: postgres.url!, log: silentLogger, max: 2 });
  }, 90_000);
  afterAll(async () => {
    await pool?.end();
    await sqlite?.close();
    await postgres?.close();
    await stopSharedPostgres();
  }, 60_000);

  it('end with the same tables and columns (type, NOT NULL, primary key)', async () => {
    const lite = sqliteColumns(sqlite.sqlite!).sort(byName);
    const pgc = (await postgresColumns(pool)).sort(byName);
    expect(lite.length).toBeGreaterThan(100);
    expect(pgc).toEqual(lite);
  });

  it('end with the same named indexes', async () => {
    const lite = sqlite
      .sqlite!.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
      .pluck()
      .all() as string[];
    // PostgreSQL names the indexes of keys and UNIQUE columns itself (*_pkey, *_key); SQLite's have no SQL.
    const { rows } = await pool.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname !~ '_(pkey|key)$' ORDER BY indexname",
    );
    expect(rows.map((r) => r.indexname).sort()).toEqual([...lite].sort());
  });

  it('record the same numbered versions, and a second run applies nothing', async () => {
    const lite = sqlite.sqlite!.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as {
      version: number;
      name: string;
    }[];
    const { rows } = await pool.query<{ version: number; name: string }>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    expect(rows).toEqual(lite);
    expect(lite.map((r) => r.version)).toContain(12);
    expect(await migratePostgres(pool)).toEqual([]);
  });

  it('fill case_error_codes from a stored case on both, skipping a snapshot that is not JSON', async () => {
    for (const { store } of [sqlite, postgres]) {
      await store.run(
        store.q
          .insertInto('devices')
          .values({ id: 'd1', model: 'coffee', token_hash: Buffer.alloc(32), created_at: 1 }),
      );
      const kase = (id: string, diagnostics: string | null) =>
        store.run(
          store.q.insertInto('cases').values({
            id,
            msg_id: `m-${id}`,
            device_id: 'd1',
            opened_at: 1,
            reason: 'stuck',
            trace: '[]',
            diagnostics,
          }),
        );
      await kase('c1', JSON.stringify({ mcu: { errors: ['E10', 'E2', 7] } }));
      await kase('c2', '{not json');
      await kase('c3', JSON.stringify({ mcu: { errors: 'E10' } }));
      await kase('c4', null);
      const codes = await store.all(
        store.q.selectFrom('case_error_codes').select(['code', 'case_id']).orderBy('case_id').orderBy('code'),
      );
      // Strings only; a lone string is one code (SQLite's json_each yields it, and the twin copies that).
      expect(codes, store.dialect).toEqual([
        { code: 'E10', case_id: 'c1' },
        { code: 'E2', case_id: 'c1' },
        { code: 'E10', case_id: 'c3' },
      ]);
    }
  });

  it('make the name-hash key on PostgreSQL as on SQLite: 32 random bytes', async () => {
    const { rows } = await pool.query<{ value: Buffer }>(
      "SELECT value FROM auth_secrets WHERE name = 'login-name-hmac'",
    );
    expect(rows[0]?.value.length).toBe(32);
  });
});
