/**
 * `@touchpoint/broker/store`: the fleet's store layer for the cross-workspace tests and the bench
 * (issue 15): both dialects, their migrations, and the stores that run on them.
 */
export { openDatabase, type Db } from './db/database.js';
export { sqliteStore, postgresStore, type SqlStore, type SqlExecutor, type Dialect } from './db/sql-store.js';
export { openPostgresPool, migratePostgres, redactDatabaseUrl } from './db/postgres.js';
export type { Database } from './db/schema.js';
export { Ingest, type IngestOutcome, type IngestCallback } from './fleet/ingest.js';
export { Quarantine } from './fleet/quarantine.js';
export { PhoneAccessStore } from './phone/phone-access-store.js';
export { Devices } from './fleet/devices.js';
export { Integrations } from './fleet/integrations.js';
export { AuditLog } from './fleet/audit.js';
export { LiveBus } from './fleet/live.js';
export { computeKpis } from './fleet/kpis.js';
export * from './content/index.js';
