import { ErrorCode, TouchpointError, isSafeId } from '@touchpoint/protocol';
import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import { jsonArrayHas } from '../db/dialect-sql.js';
import type { Database } from '../db/schema.js';
import type { SqlExecutor, SqlStore } from '../db/sql-store.js';
import { hashToken, newDeviceToken, tokenMatches } from './credentials.js';

export interface DeviceRow {
  id: string;
  model: string;
  tags: string[];
  createdAt: number;
  online: boolean;
  connectionId: string | null;
  lastSeen: number | null;
  agentVersion: string | null;
  firmwareVersion: string | null;
  profileVersion: string | null;
  errors: string[];
  link: string | null;
  lastDiagnosticsAt: number | null;
}

const COLUMNS = [
  'id',
  'model',
  'tags',
  'created_at',
  'online',
  'connection_id',
  'last_seen',
  'agent_version',
  'firmware_version',
  'profile_version',
  'errors',
  'link',
  'last_diagnostics_at',
] as const;

interface RawDevice {
  id: string;
  model: string;
  tags: string;
  created_at: number;
  online: number;
  connection_id: string | null;
  last_seen: number | null;
  agent_version: string | null;
  firmware_version: string | null;
  profile_version: string | null;
  errors: string;
  link: string | null;
  last_diagnostics_at: number | null;
}

function toDevice(r: RawDevice): DeviceRow {
  return {
    id: r.id,
    model: r.model,
    tags: JSON.parse(r.tags) as string[],
    createdAt: r.created_at,
    online: r.online === 1,
    connectionId: r.connection_id,
    lastSeen: r.last_seen,
    agentVersion: r.agent_version,
    firmwareVersion: r.firmware_version,
    profileVersion: r.profile_version,
    errors: JSON.parse(r.errors) as string[],
    link: r.link,
    lastDiagnosticsAt: r.last_diagnostics_at,
  };
}

export interface DeviceQuery {
  search?: string | undefined;
  model?: string | undefined;
  errorCode?: string | undefined;
  tag?: string | undefined;
  online?: boolean | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

/**
 * Device registry: provisioning, credentials and the live state the console lists, on the store layer
 * for SQLite and PostgreSQL (issue 15). A device's model never changes and devices are never deleted,
 * so every model this registry reads or provisions is remembered: `knownModel` answers the
 * synchronous per-message hooks (aedes' authorizeForward) without a query.
 */
export class Devices {
  private readonly byId;
  private readonly tokenHashById;
  private readonly models = new Map<string, string>();

  /** `maxModels` bounds the remembered models (a fleet of millions behind engine-auth). */
  constructor(
    private readonly store: SqlStore,
    private readonly maxModels = 1_000_000,
  ) {
    this.byId = store.prepare<{ id: string }, RawDevice>((q, $) =>
      q.selectFrom('devices').select(COLUMNS).where('id', '=', $('id')),
    );
    this.tokenHashById = store.prepare<{ id: string }, { token_hash: Buffer }>((q, $) =>
      q.selectFrom('devices').select('token_hash').where('id', '=', $('id')),
    );
  }

  /** Creates a device and returns its token. The token is shown once; only its hash is stored. */
  async provision(deviceId: string, model: string, tags: string[] = []): Promise<{ deviceId: string; token: string }> {
    return this.provisionIn(this.store, deviceId, model, tags);
  }

  /** Creates many devices in one transaction (all or none): a factory's batch, a benchmark's fleet. */
  provisionMany(
    devices: readonly { deviceId: string; model: string; tags?: string[] }[],
  ): Promise<{ deviceId: string; token: string }[]> {
    return this.store.transaction(async (tx) => {
      const out: { deviceId: string; token: string }[] = [];
      for (const d of devices) out.push(await this.provisionIn(tx, d.deviceId, d.model, d.tags ?? []));
      return out;
    });
  }

  private async provisionIn(
    ex: SqlExecutor,
    deviceId: string,
    model: string,
    tags: string[],
  ): Promise<{ deviceId: string; token: string }> {
    if (!isSafeId(deviceId))
      throw new TouchpointError(
        ErrorCode.ID_INVALID,
        `device id ${JSON.stringify(deviceId)} must be 1-64 characters of A-Z a-z 0-9 . _ - and start with a letter or digit`,
      );
    if (deviceId.startsWith('staff-') || deviceId.startsWith('svc-'))
      throw new TouchpointError(
        ErrorCode.ID_INVALID,
        'device ids may not start with staff- or svc- (reserved for console and service connections)',
      );
    if (!/^[a-z][a-z0-9-]{1,47}$/.test(model))
      throw new TouchpointError(
        ErrorCode.SCHEMA_INVALID,
        `model ${JSON.stringify(model)} must be kebab-case, such as coffee-machine`,
      );
    const token = newDeviceToken();
    // ON CONFLICT DO NOTHING: a taken id is told by the rows written, the same on both dialects.
    const inserted = await ex.run(
      ex.q
        .insertInto('devices')
        .values({
          id: deviceId,
          model,
          token_hash: hashToken(token),
          tags: JSON.stringify(tags),
          created_at: Date.now(),
        })
        .onConflict((oc) => oc.column('id').doNothing()),
    );
    if (inserted === 0) throw new TouchpointError(ErrorCode.DUPLICATE, `device ${deviceId} already exists`);
    this.remember(deviceId, model);
    return { deviceId, token };
  }

  /** Issues a new token, invalidating the old one. */
  async rotateToken(deviceId: string): Promise<string> {
    const token = newDeviceToken();
    const changed = await this.store.run(
      this.store.q
        .updateTable('devices')
        .set({ token_hash: hashToken(token) })
        .where('id', '=', deviceId),
    );
    if (changed === 0) throw new TouchpointError(ErrorCode.NOT_FOUND, `device ${deviceId} does not exist`);
    return token;
  }

  async verifyToken(deviceId: string, token: Buffer | string): Promise<boolean> {
    const stored = (await this.store.first(this.tokenHashById.bind({ id: deviceId })))?.token_hash;
    // Hash anyway when the device is unknown, so timing does not reveal which ids exist.
    if (!stored) return tokenMatches(token, Buffer.alloc(32)) && false;
    return tokenMatches(token, stored);
  }

  async get(deviceId: string): Promise<DeviceRow | undefined> {
    const row = await this.store.first(this.byId.bind({ id: deviceId }));
    if (!row) return undefined;
    this.remember(row.id, row.model);
    return toDevice(row);
  }

  /** The model of a device this registry has read or provisioned (see `loadModels`); no query. */
  knownModel(deviceId: string): string | undefined {
    return this.models.get(deviceId);
  }

  /** The model of a device: remembered, else read once. */
  async modelOf(deviceId: string): Promise<string | undefined> {
    return this.models.get(deviceId) ?? (await this.get(deviceId))?.model;
  }

  /**
   * Reads every device's model, so `knownModel` answers for the whole fleet: the embedded broker
   * calls it at start, where it is the only process that provisions devices (issue 15).
   */
  async loadModels(): Promise<void> {
    for (const r of await this.store.all(this.store.q.selectFrom('devices').select(['id', 'model'])))
      this.remember(r.id, r.model);
  }

  async list(query: DeviceQuery = {}): Promise<{ items: DeviceRow[]; total: number }> {
    const dialect = this.store.dialect;
    const filter = (eb: ExpressionBuilder<Database, 'devices'>): Expression<SqlBool> => {
      const where: Expression<SqlBool>[] = [];
      if (query.search)
        where.push(
          sql<SqlBool>`${sql.ref('id')} LIKE ${`%${query.search.replace(/[%_\\]/g, (c) => `\\${c}`)}%`} ESCAPE '\\'`,
        );
      if (query.model) where.push(eb('model', '=', query.model));
      if (query.errorCode) where.push(jsonArrayHas(dialect, 'devices.errors', query.errorCode));
      if (query.tag) where.push(jsonArrayHas(dialect, 'devices.tags', query.tag));
      if (query.online !== undefined) where.push(eb('online', '=', query.online ? 1 : 0));
      return eb.and(where);
    };
    const counted = await this.store.first(
      this.store.q
        .selectFrom('devices')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where(filter),
    );
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    const rows = await this.store.all(
      this.store.q
        .selectFrom('devices')
        .select(COLUMNS)
        .where(filter)
        .orderBy('id')
        .limit(limit)
        .offset(query.offset ?? 0),
    );
    for (const r of rows) this.remember(r.id, r.model);
    return { items: rows.map(toDevice), total: Number(counted?.n ?? 0) };
  }

  private remember(deviceId: string, model: string): void {
    if (this.models.size < this.maxModels || this.models.has(deviceId)) this.models.set(deviceId, model);
  }
}
