import {
  ErrorCode,
  TouchpointError,
  integrationName,
  integrationRights,
  integrationRightsProblems,
  describeIssues,
  type IntegrationRights,
} from '@touchpoint/protocol';
import { SafeEventEmitter } from '@touchpoint/runtime';
import type { Db } from '../db/database.js';
import { hashToken, newDeviceToken, tokenMatches } from './credentials.js';

export interface IntegrationAccount {
  name: string;
  rights: IntegrationRights;
  /** The internal fleet service: full rights, created by the broker, not by an operator. */
  builtin: boolean;
  createdAt: number;
  createdBy: string;
  rotatedAt: number | null;
  revokedAt: number | null;
}

interface Row {
  name: string;
  token_hash: Buffer;
  rights: string;
  builtin: number;
  created_at: number;
  created_by: string;
  rotated_at: number | null;
  revoked_at: number | null;
}

/** The built-in service account: every topic, diverted messages and broker statistics included; client ids `svc-*`. */
export const SERVICE_ACCOUNT = 'service';
const SERVICE_RIGHTS: IntegrationRights = {
  subscribe: ['#', '$touchpoint/#', '$SYS/#'],
  publish: ['#'],
  deny: [],
  models: [],
  clientIdPrefix: 'svc-',
  anonymousLoopback: false,
};

function toAccount(r: Row): IntegrationAccount {
  return {
    name: r.name,
    rights: integrationRights.parse(JSON.parse(r.rights)),
    builtin: r.builtin === 1,
    createdAt: r.created_at,
    createdBy: r.created_by,
    rotatedAt: r.rotated_at,
    revokedAt: r.revoked_at,
  };
}

/** The prefix an account's client ids must carry. */
export function clientIdPrefixOf(account: IntegrationAccount): string {
  return account.rights.clientIdPrefix ?? `${account.name}-`;
}

/** Integration accounts: created, listed, rotated and revoked by admins; each change is announced so live connections follow it. */
export class Integrations {
  private readonly st;
  /** A listener that throws is reported, never undoes the change, and the listeners after it still hear it. */
  private readonly changes: SafeEventEmitter<{ changed: [name: string] }>;

  constructor(
    private readonly db: Db,
    onListenerError: (err: unknown) => void = (err) =>
      process.emitWarning(`integration change listener failed: ${(err as Error).message}`),
  ) {
    this.changes = new SafeEventEmitter((_event, err) => onListenerError(err));
    this.st = {
      get: db.prepare('SELECT * FROM integrations WHERE name = ?'),
      all: db.prepare('SELECT * FROM integrations ORDER BY name'),
      insert: db.prepare(
        'INSERT INTO integrations (name, token_hash, rights, builtin, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      upsertBuiltin:
        db.prepare(`INSERT INTO integrations (name, token_hash, rights, builtin, created_at, created_by) VALUES (?, ?, ?, 1, ?, 'system')
        ON CONFLICT(name) DO UPDATE SET token_hash = excluded.token_hash, rights = excluded.rights, builtin = 1, revoked_at = NULL`),
      rotate: db.prepare(
        'UPDATE integrations SET token_hash = ?, rotated_at = ? WHERE name = ? AND revoked_at IS NULL',
      ),
      revoke: db.prepare('UPDATE integrations SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL'),
      anonymous: db.prepare(
        `SELECT * FROM integrations WHERE revoked_at IS NULL AND json_extract(rights, '$.anonymousLoopback') = 1`,
      ),
    };
  }

  /** Called with an account's name whenever its token or rights stop being valid (rotate, revoke). */
  onChange(listener: (name: string) => void): () => void {
    return this.changes.subscribe('changed', listener);
  }

  /** The service identity as one account with full rights; its token is the broker's service token. */
  ensureService(tokenHash: Buffer, now = Date.now()): void {
    this.st.upsertBuiltin.run(SERVICE_ACCOUNT, tokenHash, JSON.stringify(SERVICE_RIGHTS), now);
  }

  add(
    name: string,
    requested: unknown,
    createdBy: string,
    now = Date.now(),
  ): { account: IntegrationAccount; token: string } {
    const parsedName = integrationName.safeParse(name);
    if (!parsedName.success)
      throw new TouchpointError(
        ErrorCode.ID_INVALID,
        `integration name ${JSON.stringify(name)}: ${describeIssues(parsedName.error)}`,
      );
    const parsed = integrationRights.safeParse(requested);
    if (!parsed.success) throw new TouchpointError(ErrorCode.SCHEMA_INVALID, describeIssues(parsed.error));
    const problems = integrationRightsProblems(parsed.data);
    if (problems.length > 0) throw new TouchpointError(ErrorCode.SCHEMA_INVALID, problems.join('; '));
    if (this.st.get.get(name))
      throw new TouchpointError(
        ErrorCode.CONFLICT,
        `integration ${name} exists (revoked accounts keep their name for the audit log)`,
      );
    if (parsed.data.anonymousLoopback && this.st.anonymous.get())
      throw new TouchpointError(ErrorCode.CONFLICT, 'another integration already takes anonymous loopback clients');
    const token = newDeviceToken();
    this.st.insert.run(name, hashToken(token), JSON.stringify(parsed.data), 0, now, createdBy);
    return { account: this.get(name)!, token };
  }

  get(name: string): IntegrationAccount | undefined {
    const row = this.st.get.get(name) as Row | undefined;
    return row ? toAccount(row) : undefined;
  }

  list(): IntegrationAccount[] {
    return (this.st.all.all() as Row[]).map(toAccount);
  }

  /** The live account behind a user name and token, or undefined. */
  verify(name: string, token: Buffer): IntegrationAccount | undefined {
    const row = this.st.get.get(name) as Row | undefined;
    if (!row || row.revoked_at !== null || !tokenMatches(token, row.token_hash)) return undefined;
    return toAccount(row);
  }

  anonymousLoopback(): IntegrationAccount | undefined {
    const row = this.st.anonymous.get() as Row | undefined;
    return row ? toAccount(row) : undefined;
  }

  rotate(name: string, now = Date.now()): string {
    this.assertManaged(name);
    const token = newDeviceToken();
    if (this.st.rotate.run(hashToken(token), now, name).changes === 0)
      throw new TouchpointError(ErrorCode.NOT_FOUND, `integration ${name} is revoked`);
    this.announce(name);
    return token;
  }

  revoke(name: string, now = Date.now()): void {
    this.assertManaged(name);
    if (this.st.revoke.run(now, name).changes === 0)
      throw new TouchpointError(ErrorCode.NOT_FOUND, `integration ${name} is already revoked`);
    this.announce(name);
  }

  private assertManaged(name: string): void {
    const account = this.get(name);
    if (!account) throw new TouchpointError(ErrorCode.NOT_FOUND, `no integration named ${name}`);
    if (account.builtin)
      throw new TouchpointError(
        ErrorCode.FORBIDDEN_ROLE,
        `${name} is the broker's built-in service account; rotate its token by replacing keys/service-token and restarting`,
      );
  }

  private announce(name: string): void {
    this.changes.emit('changed', name);
  }
}
