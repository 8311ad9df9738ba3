import { ErrorCode, TouchpointError, isSafeId } from '@touchpoint/protocol';
import { statementCache, type Prepare } from '../db/statement-cache.js';
import type { Db } from '../db/database.js';
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

const COLUMNS =
  'id, model, tags, created_at, online, connection_id, last_seen, agent_version, firmware_version, profile_version, errors, link, last_diagnostics_at';

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

/** Device registry: provisioning, credentials and the live state the console lists. */
export class Devices {
  private readonly sql: Prepare;
  private readonly byId;
  private readonly tokenHashById;
  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
    this.byId = db.prepare(`SELECT ${COLUMNS} FROM devices WHERE id = ?`);
    this.tokenHashById = db.prepare('SELECT token_hash FROM devices WHERE id = ?').pluck();
  }

  /** Creates a device and returns its token. The token is shown once; only its hash is stored. */
  provision(deviceId: string, model: string, tags: string[] = []): { deviceId: string; token: string } {
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
    try {
      this.sql('INSERT INTO devices (id, model, token_hash, tags, created_at) VALUES (?, ?, ?, ?, ?)').run(
        deviceId,
        model,
        hashToken(token),
        JSON.stringify(tags),
        Date.now(),
      );
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
        throw new TouchpointError(ErrorCode.DUPLICATE, `device ${deviceId} already exists`);
      throw err;
    }
    return { deviceId, token };
  }

  /** Issues a new token, invalidating the old one. */
  rotateToken(deviceId: string): string {
    const token = newDeviceToken();
    const res = this.sql('UPDATE devices SET token_hash = ? WHERE id = ?').run(hashToken(token), deviceId);
    if (res.changes === 0) throw new TouchpointError(ErrorCode.NOT_FOUND, `device ${deviceId} does not exist`);
    return token;
  }

  verifyToken(deviceId: string, token: Buffer | string): boolean {
    const stored = this.tokenHashById.get(deviceId) as Buffer | undefined;
    // Hash anyway when the device is unknown, so timing does not reveal which ids exist.
    if (!stored) return tokenMatches(token, Buffer.alloc(32)) && false;
    return tokenMatches(token, stored);
  }

  get(deviceId: string): DeviceRow | undefined {
    const row = this.byId.get(deviceId) as RawDevice | undefined;
    return row ? toDevice(row) : undefined;
  }

  list(query: DeviceQuery = {}): { items: DeviceRow[]; total: number } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, value: string | number) => {
      where.push(clause);
      args.push(value);
    };
    if (query.search) add("id LIKE ? ESCAPE '\\'", `%${query.search.replace(/[%_\\]/g, (c) => `\\${c}`)}%`);
    if (query.model) add('model = ?', query.model);
    if (query.errorCode) add('EXISTS (SELECT 1 FROM json_each(devices.errors) WHERE value = ?)', query.errorCode);
    if (query.tag) add('EXISTS (SELECT 1 FROM json_each(devices.tags) WHERE value = ?)', query.tag);
    if (query.online !== undefined) add('online = ?', query.online ? 1 : 0);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = this.sql(`SELECT COUNT(*) FROM devices ${clause}`)
      .pluck()
      .get(...args) as number;
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    const rows = this.sql(`SELECT ${COLUMNS} FROM devices ${clause} ORDER BY id LIMIT ? OFFSET ?`).all(
      ...args,
      limit,
      query.offset ?? 0,
    ) as RawDevice[];
    return { items: rows.map(toDevice), total };
  }
}
