import { createHash, randomBytes } from 'node:crypto';
import { ErrorCode, fail, newId, ok, type PhoneEndReason, type Result } from '@touchpoint/protocol';
import type { SqlStore } from '../db/sql-store.js';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export interface PhoneAccessRow {
  id: string;
  deviceId: string;
  claimed: boolean;
  expiresAt: number;
  endedAt: number | null;
  endedBy: PhoneEndReason | null;
}

/**
 * Phone accesses in the fleet database (`phone_access`, migration 016, issue 17), on the store layer for
 * SQLite and PostgreSQL. A link is a 256-bit random token kept only as a hash, bound to one device and
 * one access, short-lived and single-use (the claim is one conditional UPDATE, so one phone wins even
 * across processes); the phone then holds a bearer key, also kept only as a hash. A device has one
 * access at a time: a new link ends the one before (`replaced`).
 */
export class PhoneAccessStore {
  constructor(private readonly store: SqlStore) {}

  /** A new link for the device; returns the accesses it replaced, so their phones are told. */
  async issue(
    deviceId: string,
    linkTtlMs: number,
    accessTtlMs: number,
    now: number,
  ): Promise<{ accessId: string; token: string; linkExpiresAt: number; replaced: string[] }> {
    const token = randomBytes(32).toString('base64url');
    const accessId = newId();
    const linkExpiresAt = now + linkTtlMs;
    const replaced = await this.store.transaction(async (tx) => {
      const open = await tx.all(
        tx.q.selectFrom('phone_access').select('id').where('device_id', '=', deviceId).where('ended_at', 'is', null),
      );
      await tx.run(
        tx.q
          .updateTable('phone_access')
          .set({ ended_at: now, ended_by: 'replaced' })
          .where('device_id', '=', deviceId)
          .where('ended_at', 'is', null),
      );
      await tx.run(
        tx.q.insertInto('phone_access').values({
          id: accessId,
          device_id: deviceId,
          token_hash: sha256(token),
          link_expires_at: linkExpiresAt,
          // Until claimed, the access lasts as long as its link; the claim sets the access lifetime.
          expires_at: linkExpiresAt + accessTtlMs,
          created_at: now,
        }),
      );
      return open.map((r) => r.id);
    });
    return { accessId, token, linkExpiresAt, replaced };
  }

  /** The single use of a link: binds the phone with a new bearer key. */
  async claim(
    token: string,
    accessTtlMs: number,
    now: number,
  ): Promise<Result<{ accessId: string; deviceId: string; key: string; expiresAt: number }>> {
    const row = await this.store.first(
      this.store.q
        .selectFrom('phone_access')
        .select(['id', 'device_id', 'link_expires_at', 'key_hash', 'ended_at'])
        .where('token_hash', '=', sha256(token)),
    );
    if (!row || row.link_expires_at <= now) return fail(ErrorCode.EXPIRED, 'this link has expired or does not exist');
    if (row.key_hash !== null) return fail(ErrorCode.REPLAY, 'this link was already used');
    if (row.ended_at !== null) return fail(ErrorCode.EXPIRED, 'this link was replaced or ended on the device');
    const key = randomBytes(32).toString('base64url');
    const expiresAt = now + accessTtlMs;
    // Conditional, so two phones (or two processes) claiming at once cannot both win.
    const won = await this.store.run(
      this.store.q
        .updateTable('phone_access')
        .set({ key_hash: sha256(key), claimed_at: now, expires_at: expiresAt })
        .where('id', '=', row.id)
        .where('key_hash', 'is', null)
        .where('ended_at', 'is', null),
    );
    if (won === 0) return fail(ErrorCode.REPLAY, 'this link was already used');
    return ok({ accessId: row.id, deviceId: row.device_id, key, expiresAt });
  }

  /** The access this bearer key opens, whether or not it has ended; undefined for a wrong key. */
  async byKey(accessId: string, key: string): Promise<PhoneAccessRow | undefined> {
    const row = await this.store.first(
      this.store.q
        .selectFrom('phone_access')
        .select(['id', 'device_id', 'claimed_at', 'expires_at', 'ended_at', 'ended_by'])
        .where('id', '=', accessId)
        .where('key_hash', '=', sha256(key)),
    );
    return row && toRow(row);
  }

  async get(accessId: string): Promise<PhoneAccessRow | undefined> {
    const row = await this.store.first(
      this.store.q
        .selectFrom('phone_access')
        .select(['id', 'device_id', 'claimed_at', 'expires_at', 'ended_at', 'ended_by'])
        .where('id', '=', accessId),
    );
    return row && toRow(row);
  }

  /** The device's access that has not ended, if any. */
  async open(deviceId: string): Promise<PhoneAccessRow | undefined> {
    const row = await this.store.first(
      this.store.q
        .selectFrom('phone_access')
        .select(['id', 'device_id', 'claimed_at', 'expires_at', 'ended_at', 'ended_by'])
        .where('device_id', '=', deviceId)
        .where('ended_at', 'is', null),
    );
    return row && toRow(row);
  }

  /** Takes the phone's step number: each is used once and they rise (a replayed step is refused). */
  async takeSeq(accessId: string, seq: number): Promise<boolean> {
    return (
      (await this.store.run(
        this.store.q.updateTable('phone_access').set({ seq }).where('id', '=', accessId).where('seq', '<', seq),
      )) === 1
    );
  }

  /** Ends an access once; false when it had already ended. */
  async end(accessId: string, by: PhoneEndReason, now: number): Promise<boolean> {
    return (
      (await this.store.run(
        this.store.q
          .updateTable('phone_access')
          .set({ ended_at: now, ended_by: by })
          .where('id', '=', accessId)
          .where('ended_at', 'is', null),
      )) === 1
    );
  }
}

function toRow(row: {
  id: string;
  device_id: string;
  claimed_at: number | null;
  expires_at: number;
  ended_at: number | null;
  ended_by: string | null;
}): PhoneAccessRow {
  return {
    id: row.id,
    deviceId: row.device_id,
    claimed: row.claimed_at !== null,
    expiresAt: Number(row.expires_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
    endedBy: row.ended_by as PhoneEndReason | null,
  };
}
