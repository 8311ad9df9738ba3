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
import { sql } from 'kysely';
import { rawQuery } from '../db/dialect-sql.js';
import type { SqlExecutor, SqlStore } from '../db/sql-store.js';
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

/** The advisory lock key that serialises `add` on PostgreSQL (any constant; 'tpia' in ASCII). */
const ADD_LOCK = 0x74706961;

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

/**
 * Integration accounts: created, listed, rotated and revoked by admins; each change is announced so
 * live connections follow it. On the store layer for SQLite and PostgreSQL (issue 15).
 */
export class Integrations {
  private readonly byName;
  /** A listener that throws is reported, never undoes the change, and the listeners after it still hear it. */
  private readonly changes: SafeEventEmitter<{ changed: [name: string] }>;

  constructor(
    private readonly store: SqlStore,
    onListenerError: (err: unknown) => void = (err) =>
      process.emitWarning(`integration change listener failed: ${(err as Error).message}`),
  ) {
    this.changes = new SafeEventEmitter((_event, err) => onListenerError(err));
    this.byName = store.prepare<{ name: string }, Row>((q, $) =>
      q.selectFrom('integrations').selectAll().where('name', '=', $('name')),
    );
  }

  /** Called with an account's name whenever its token or rights stop being valid (rotate, revoke). */
  onChange(listener: (name: string) => void): () => void {
    return this.changes.subscribe('changed', listener);
  }

  /** The service identity as one account with full rights; its token is the broker's service token. */
  async ensureService(tokenHash: Buffer, now = Date.now()): Promise<void> {
    const rights = JSON.stringify(SERVICE_RIGHTS);
    await this.store.run(
      this.store.q
        .insertInto('integrations')
        .values({
          name: SERVICE_ACCOUNT,
          token_hash: tokenHash,
          rights,
          builtin: 1,
          created_at: now,
          created_by: 'system',
        })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet({ token_hash: tokenHash, rights, builtin: 1, revoked_at: null }),
        ),
    );
  }

  async add(
    name: string,
    requested: unknown,
    createdBy: string,
    now = Date.now(),
  ): Promise<{ account: IntegrationAccount; token: string }> {
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
    const token = newDeviceToken();
    // Read-then-write in one transaction: two admins adding accounts at once cannot both pass the
    // checks (SQLite: the store's mutex and BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped
    // advisory lock, as a row lock cannot guard a row that does not exist yet).
    const added = await this.store.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.run(rawQuery(tx.q, sql`SELECT pg_advisory_xact_lock(${ADD_LOCK})`));
      if (await tx.first(this.byName.bind({ name })))
        throw new TouchpointError(
          ErrorCode.CONFLICT,
          `integration ${name} exists (revoked accounts keep their name for the audit log)`,
        );
      if (parsed.data.anonymousLoopback && (await this.anonymousIn(tx)))
        throw new TouchpointError(ErrorCode.CONFLICT, 'another integration already takes anonymous loopback clients');
      const inserted = await tx.run(
        tx.q
          .insertInto('integrations')
          .values({
            name,
            token_hash: hashToken(token),
            rights: JSON.stringify(parsed.data),
            builtin: 0,
            created_at: now,
            created_by: createdBy,
          })
          .onConflict((oc) => oc.column('name').doNothing()),
      );
      if (inserted === 0)
        throw new TouchpointError(
          ErrorCode.CONFLICT,
          `integration ${name} exists (revoked accounts keep their name for the audit log)`,
        );
      return toAccount((await tx.first(this.byName.bind({ name })))!);
    });
    return { account: added, token };
  }

  async get(name: string): Promise<IntegrationAccount | undefined> {
    const row = await this.store.first(this.byName.bind({ name }));
    return row ? toAccount(row) : undefined;
  }

  async list(): Promise<IntegrationAccount[]> {
    return (await this.store.all(this.store.q.selectFrom('integrations').selectAll().orderBy('name'))).map(toAccount);
  }

  /** The live account behind a user name and token, or undefined. */
  async verify(name: string, token: Buffer): Promise<IntegrationAccount | undefined> {
    const row = await this.store.first(this.byName.bind({ name }));
    if (!row || row.revoked_at !== null || !tokenMatches(token, row.token_hash)) return undefined;
    return toAccount(row);
  }

  anonymousLoopback(): Promise<IntegrationAccount | undefined> {
    return this.anonymousIn(this.store);
  }

  /**
   * The one live account with `anonymousLoopback`: the flag lives in the rights JSON, and the
   * accounts are few, so they are read and the flag checked here (one query for both dialects).
   */
  private async anonymousIn(ex: SqlExecutor): Promise<IntegrationAccount | undefined> {
    const rows = await ex.all(ex.q.selectFrom('integrations').selectAll().where('revoked_at', 'is', null));
    return rows.map(toAccount).find((a) => a.rights.anonymousLoopback);
  }

  async rotate(name: string, now = Date.now()): Promise<string> {
    await this.assertManaged(name);
    const token = newDeviceToken();
    const changed = await this.store.run(
      this.store.q
        .updateTable('integrations')
        .set({ token_hash: hashToken(token), rotated_at: now })
        .where('name', '=', name)
        .where('revoked_at', 'is', null),
    );
    if (changed === 0) throw new TouchpointError(ErrorCode.NOT_FOUND, `integration ${name} is revoked`);
    this.announce(name);
    return token;
  }

  async revoke(name: string, now = Date.now()): Promise<void> {
    await this.assertManaged(name);
    const changed = await this.store.run(
      this.store.q
        .updateTable('integrations')
        .set({ revoked_at: now })
        .where('name', '=', name)
        .where('revoked_at', 'is', null),
    );
    if (changed === 0) throw new TouchpointError(ErrorCode.NOT_FOUND, `integration ${name} is already revoked`);
    this.announce(name);
  }

  private async assertManaged(name: string): Promise<void> {
    const account = await this.get(name);
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
