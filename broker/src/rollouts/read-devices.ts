import type { SqlExecutor } from '../db/sql-store.js';
import type { QueriedDevice } from './device-query.js';

/**
 * The devices of one model as a query looks at them (device-query.ts), on the store layer so it runs on
 * SQLite and PostgreSQL. Tags and errors are JSON arrays in both dialects (devices.tags, devices.errors).
 */
export async function readDevices(store: SqlExecutor, model: string): Promise<QueriedDevice[]> {
  const rows = await store.all(
    store.q
      .selectFrom('devices')
      .select(['id', 'model', 'tags', 'errors', 'firmware_version'])
      .where('model', '=', model)
      .orderBy('id'),
  );
  return rows.map((r) => ({
    id: r.id,
    model: r.model,
    tags: JSON.parse(r.tags) as string[],
    errors: JSON.parse(r.errors) as string[],
    firmwareVersion: r.firmware_version,
  }));
}
