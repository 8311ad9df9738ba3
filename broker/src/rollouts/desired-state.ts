import { ErrorCode, TouchpointError } from '@touchpoint/protocol';
import type { SqlStore } from '../db/sql-store.js';
import type { Commands } from '../fleet/commands.js';
import type { StaffMember } from '../fleet/staff.js';
import type { Logger } from '../logger.js';

/** A content document as devices fetch it: help.install's params. */
export interface PublishedContent {
  sha256: string;
  url: string;
}

/** A command that still stands a chance to run: sent, not expired, no outcome yet. */
const OPEN: ReadonlySet<string> = new Set(['queued', 'delivered', 'accepted']);

/**
 * Desired state (issue 18): every device a rollout touched has a desired help content document and reports
 * the one it runs (`contentVersion` in its birth, or a `help.install` that succeeded). When the two differ the
 * fleet sends a signed `help.install` (Commands.send: role, params, signature, id, expiry, audit), unless one
 * for that document is still open; a device offline now converges on its next birth (`onBirth`), as
 * online-resync.ts does for commands and case status.
 */
export class DesiredContent {
  constructor(
    private readonly store: SqlStore,
    private readonly commands: Pick<Commands, 'send' | 'get' | 'withdraw'>,
    private readonly log: Logger,
  ) {}

  /** The device should run `target`: records it and sends the install if the device does not run it yet. */
  async set(
    deviceId: string,
    target: PublishedContent,
    rolloutId: string,
    staff: StaffMember,
    now: number = Date.now(),
  ): Promise<void> {
    const row = await this.row(deviceId);
    if (row)
      await this.store.run(
        this.store.q
          .updateTable('device_content')
          .set({ desired_sha256: target.sha256, desired_url: target.url, rollout_id: rolloutId, updated_at: now })
          .where('device_id', '=', deviceId),
      );
    else
      await this.store.run(
        this.store.q.insertInto('device_content').values({
          device_id: deviceId,
          desired_sha256: target.sha256,
          desired_url: target.url,
          rollout_id: rolloutId,
          command_id: null,
          reported_sha256: null,
          reported_at: null,
          updated_at: now,
        }),
      );
    await this.converge(deviceId, staff, now);
  }

  /** What the device should run and what it reported, or undefined for a device no rollout touched. */
  async get(deviceId: string) {
    return this.row(deviceId);
  }

  /** The device reported the document it runs (its birth); sends the install again if it differs. */
  async reported(
    deviceId: string,
    sha256: string | null,
    staffOf: (rolloutId: string) => Promise<StaffMember | undefined>,
    now = Date.now(),
  ): Promise<void> {
    const row = await this.row(deviceId);
    if (!row) return;
    await this.store.run(
      this.store.q
        .updateTable('device_content')
        .set({ reported_sha256: sha256, reported_at: now, updated_at: now })
        .where('device_id', '=', deviceId),
    );
    if (!row.desired_sha256 || row.desired_sha256 === sha256 || !row.rollout_id) return;
    const staff = await staffOf(row.rollout_id);
    if (staff) await this.converge(deviceId, staff, now);
  }

  /**
   * An install command succeeded: the device runs that command's document now (whichever install it was: one
   * sent before the desired document changed may still arrive after an abort). If that is not the desired
   * document any more, the desired one is sent. Returns the device and the document it runs.
   */
  async installed(
    commandId: string,
    staffOf: (rolloutId: string) => Promise<StaffMember | undefined>,
    now: number = Date.now(),
  ): Promise<{ deviceId: string; sha256: string } | undefined> {
    const command = this.commands.get(commandId);
    const sha256 = command?.params['sha256'];
    if (command?.action !== 'help.install' || typeof sha256 !== 'string') return undefined;
    const row = await this.row(command.deviceId);
    if (!row) return undefined;
    await this.reported(command.deviceId, sha256, staffOf, now);
    return { deviceId: command.deviceId, sha256 };
  }

  private row(deviceId: string) {
    return this.store.first(this.store.q.selectFrom('device_content').selectAll().where('device_id', '=', deviceId));
  }

  /**
   * Sends `help.install` for the desired document unless the device runs it or an install of it is open;
   * withdraws an open install of another document first.
   */
  private async converge(deviceId: string, staff: StaffMember, now: number): Promise<void> {
    const row = await this.row(deviceId);
    if (!row?.desired_sha256 || !row.desired_url) return;
    const last = row.command_id ? this.commands.get(row.command_id) : undefined;
    const open = last && OPEN.has(last.status) && last.expiresAt > now ? last : undefined;
    // An install of another document that the device has not taken yet is superseded (a rollback).
    if (open && open.params['sha256'] !== row.desired_sha256) this.commands.withdraw(open.id, now);
    if (row.reported_sha256 === row.desired_sha256) return;
    if (open && open.params['sha256'] === row.desired_sha256) return;
    try {
      const command = await this.commands.send(
        { deviceId, action: 'help.install', params: { url: row.desired_url, sha256: row.desired_sha256 }, staff },
        now,
      );
      await this.store.run(
        this.store.q
          .updateTable('device_content')
          .set({ command_id: command.id, updated_at: now })
          .where('device_id', '=', deviceId),
      );
    } catch (err) {
      // Refused by the fleet (the device was removed, the staff member lost the role): logged and left for
      // the next birth; a rollout never throws out of an event handler.
      this.log.warn('help content install not sent', {
        deviceId,
        code: err instanceof TouchpointError ? err.code : ErrorCode.INTERNAL,
        reason: (err as Error).message,
      });
    }
  }
}
