import {
  ErrorCode,
  TouchpointError,
  actionParamsSchema,
  commandStatus,
  deviceTopic,
  describeIssues,
  findAction,
  header,
  type CommandEnvelope,
  type CommandStatus,
  type DeviceProfile,
} from '@touchpoint/protocol';
import type { SignRequestCommand } from '@touchpoint/protocol/signing';
import { statementCache, type Prepare } from '../db/statement-cache.js';
import type { Db } from '../db/database.js';
import type { AuditLog } from './audit.js';
import type { Devices } from './devices.js';
import type { LiveBus } from './live.js';
import { roleForAction } from './action-roles.js';
import { roleAllows, type StaffMember } from './staff.js';

export interface SendCommandRequest {
  deviceId: string;
  action: string;
  params: Record<string, unknown>;
  staff: StaffMember;
  /** How long the command stays valid; an offline device gets it on return unless it has expired. */
  ttlMs?: number;
}

export interface CommandRecord {
  id: string;
  deviceId: string;
  action: string;
  params: Record<string, unknown>;
  issuedBy: string;
  issuedAt: number;
  expiresAt: number;
  status: CommandStatus;
  updatedAt: number;
  history: { status: string; code: string | null; reason: string | null; at: number }[];
}

/** Signs a command; the key stays behind this call (issue 12 item 10: KeyDistribution over a CommandSigner). */
export interface SignCommand {
  sign(command: SignRequestCommand): Promise<CommandEnvelope>;
}

export type Publish = (topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }) => Promise<void>;

const DEFAULT_TTL_MS = 10 * 60 * 1000;
const MAX_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The only path a command takes to a device: role check, catalog and params
 * check, signature, audit, then a QoS 1 publish to the device's command topic.
 */
export class Commands {
  private readonly sql: Prepare;
  constructor(
    private readonly db: Db,
    private readonly devices: Devices,
    private readonly profiles: ReadonlyMap<string, DeviceProfile>,
    private readonly signer: SignCommand,
    private readonly audit: AuditLog,
    private readonly live: LiveBus,
    private readonly publish: Publish,
  ) {
    this.sql = statementCache(db);
  }

  async send(req: SendCommandRequest, now: number = Date.now()): Promise<CommandRecord> {
    const refuse = async (code: ErrorCode, message: string): Promise<never> => {
      await this.audit.record(
        {
          actor: req.staff.id,
          actorRole: req.staff.role,
          action: 'command.send',
          deviceId: req.deviceId,
          target: req.action,
          outcome: 'refused',
          detail: { code, message },
        },
        now,
      );
      throw new TouchpointError(code, message);
    };
    if (!roleAllows(req.staff.role, 'agent'))
      await refuse(ErrorCode.FORBIDDEN_ROLE, `role ${req.staff.role} may not send commands`);
    const device =
      (await this.devices.get(req.deviceId)) ??
      (await refuse(ErrorCode.NOT_FOUND, `device ${req.deviceId} does not exist`));
    const profile =
      this.profiles.get(device.model) ?? (await refuse(ErrorCode.NOT_FOUND, `no profile for model ${device.model}`));
    const action =
      findAction(profile, req.action) ??
      (await refuse(ErrorCode.UNKNOWN_ACTION, `${req.action} is not in the ${device.model} catalog`));
    if (!action.remote)
      await refuse(ErrorCode.FORBIDDEN_ROLE, `${req.action} can only be started by the customer on the device`);
    const needed = roleForAction(action.name);
    if (!roleAllows(req.staff.role, needed))
      await refuse(ErrorCode.FORBIDDEN_ROLE, `role ${req.staff.role} may not send ${action.name} (needs ${needed})`);
    const params = actionParamsSchema(action).safeParse(req.params);
    if (!params.success) await refuse(ErrorCode.BAD_PARAMS, describeIssues(params.error));
    const ttl = Math.min(Math.max(req.ttlMs ?? DEFAULT_TTL_MS, 1_000), MAX_TTL_MS);

    let envelope: CommandEnvelope;
    try {
      envelope = await this.signer.sign({
        ...header(now),
        deviceId: device.id,
        action: action.name,
        params: req.params,
        issuedAt: now,
        expiresAt: now + ttl,
        issuedBy: req.staff.id,
        // The customer's receipt names who did it (issue 16); signed, so nobody on the way can change it.
        issuer: { name: req.staff.displayName.slice(0, 64) || req.staff.name, role: req.staff.role },
      });
    } catch (err) {
      // The signer's own policy (or its absence) has the last word; the refusal is audited like any other.
      return await refuse(
        err instanceof TouchpointError ? err.code : ErrorCode.SIGNER_UNAVAILABLE,
        `not signed: ${(err as Error).message}`,
      );
    }
    // The audit row is written inside the command's transaction: on SQLite (the only dialect this store
    // runs on yet) the store layer runs it at once, on the same connection; its promise is awaited after.
    let audited: Promise<void> = Promise.resolve();
    this.db.transaction(() => {
      this.sql(
        'INSERT INTO commands (id, device_id, action, params, issued_by, issued_at, expires_at, status, updated_at, envelope) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(
        envelope.id,
        device.id,
        action.name,
        JSON.stringify(req.params),
        req.staff.id,
        now,
        envelope.expiresAt,
        'queued',
        now,
        JSON.stringify(envelope),
      );
      this.sql('INSERT INTO command_status (command_id, status, at) VALUES (?, ?, ?)').run(envelope.id, 'queued', now);
      audited = this.audit.record(
        {
          actor: req.staff.id,
          actorRole: req.staff.role,
          action: 'command.send',
          deviceId: device.id,
          target: action.name,
          outcome: 'ok',
          detail: { commandId: envelope.id, params: req.params, expiresAt: envelope.expiresAt },
        },
        now,
      );
    })();
    await audited;
    this.live.emit('command', { commandId: envelope.id, deviceId: device.id, status: 'queued' });
    await this.publish(deviceTopic(device.id, 'command'), JSON.stringify(envelope), { qos: 1, retain: false });
    return this.get(envelope.id)!;
  }

  /** The device's PUBACK: the command reached it (or its persistent session). */
  markDelivered(commandId: string, now: number = Date.now()): void {
    this.transition(commandId, 'delivered', ['queued'], now);
  }

  /** Marks every command past its expiry with no outcome as expired; returns how many. */
  expireOverdue(now: number = Date.now()): number {
    const overdue = this.sql("SELECT id FROM commands WHERE status IN ('queued', 'delivered') AND expires_at < ?")
      .pluck()
      .all(now) as string[];
    for (const id of overdue) this.transition(id, 'expired', ['queued', 'delivered'], now);
    return overdue.length;
  }

  /**
   * What the fleet owes a device that just came online (issue 15): its commands still `queued` (no PUBACK from
   * the device yet) and not expired, oldest first, as signed envelopes. Those past their expiry are marked
   * `expired` here and never sent. `delivered` ones are not sent again: the device has them (the agent
   * records the id before its PUBACK), and its result is on its way through its outbox.
   */
  pendingFor(deviceId: string, now: number = Date.now()): CommandEnvelope[] {
    const overdue = this.sql(
      "SELECT id FROM commands WHERE device_id = ? AND status IN ('queued', 'delivered') AND expires_at <= ?",
    )
      .pluck()
      .all(deviceId, now) as string[];
    for (const id of overdue) this.transition(id, 'expired', ['queued', 'delivered'], now);
    const rows = this.sql(
      "SELECT envelope FROM commands WHERE device_id = ? AND status = 'queued' AND expires_at > ? ORDER BY issued_at, rowid",
    )
      .pluck()
      .all(deviceId, now) as string[];
    return rows.map((raw) => JSON.parse(raw) as CommandEnvelope);
  }

  /**
   * Withdraws a command no device has taken yet (`queued`: no PUBACK): it is marked `expired` and a birth no
   * longer sends it (issue 18: a rollback supersedes the install an offline device never received). A command
   * already delivered is left alone; the device reports its outcome. Returns whether it was withdrawn.
   */
  withdraw(commandId: string, now: number = Date.now()): boolean {
    const queued = this.get(commandId)?.status === 'queued';
    if (queued) this.transition(commandId, 'expired', ['queued'], now);
    return queued;
  }

  private transition(commandId: string, to: CommandStatus, from: CommandStatus[], now: number): void {
    const row = this.sql('SELECT device_id, status FROM commands WHERE id = ?').get(commandId) as
      { device_id: string; status: CommandStatus } | undefined;
    if (!row || !from.includes(row.status)) return;
    // Conditional on the status read above: in cluster mode every API process sweeps the shared database
    // (issue 15), and only the one whose update took announces the change (one webhook event, issue 17).
    const changed = this.db.transaction(() => {
      const { changes } = this.sql(
        `UPDATE commands SET status = ?, updated_at = ? WHERE id = ? AND status IN (${from.map(() => '?').join(', ')})`,
      ).run(to, now, commandId, ...from);
      if (changes === 1)
        this.sql('INSERT INTO command_status (command_id, status, at) VALUES (?, ?, ?)').run(commandId, to, now);
      return changes === 1;
    })();
    if (changed) this.live.emit('command', { commandId, deviceId: row.device_id, status: to });
  }

  get(commandId: string): CommandRecord | undefined {
    const r = this.sql(
      'SELECT id, device_id, action, params, issued_by, issued_at, expires_at, status, updated_at FROM commands WHERE id = ?',
    ).get(commandId) as
      | {
          id: string;
          device_id: string;
          action: string;
          params: string;
          issued_by: string;
          issued_at: number;
          expires_at: number;
          status: string;
          updated_at: number;
        }
      | undefined;
    if (!r) return undefined;
    const history = this.sql(
      'SELECT status, code, reason, at FROM command_status WHERE command_id = ? ORDER BY id',
    ).all(commandId) as CommandRecord['history'];
    return {
      id: r.id,
      deviceId: r.device_id,
      action: r.action,
      params: JSON.parse(r.params) as Record<string, unknown>,
      issuedBy: r.issued_by,
      issuedAt: r.issued_at,
      expiresAt: r.expires_at,
      status: commandStatus.parse(r.status),
      updatedAt: r.updated_at,
      history,
    };
  }

  listForDevice(deviceId: string, limit = 50): CommandRecord[] {
    const ids = this.sql('SELECT id FROM commands WHERE device_id = ? ORDER BY issued_at DESC LIMIT ?')
      .pluck()
      .all(deviceId, Math.min(limit, 500)) as string[];
    return ids.map((id) => this.get(id)!);
  }
}
