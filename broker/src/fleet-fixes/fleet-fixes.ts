import {
  ErrorCode,
  TouchpointError,
  actionParamsSchema,
  describeIssues,
  findAction,
  newId,
  type DeviceProfile,
} from '@touchpoint/protocol';
import { Mutex } from '../db/mutex.js';
import type { SqlStore } from '../db/sql-store.js';
import { roleForAction } from '../fleet/action-roles.js';
import type { AuditLog } from '../fleet/audit.js';
import type { Commands } from '../fleet/commands.js';
import type { LiveBus, LiveEvents } from '../fleet/live.js';
import { roleAllows, type Staff, type StaffMember } from '../fleet/staff.js';
import type { Logger } from '../logger.js';
import { readDevices } from '../rollouts/read-devices.js';
import { deviceQuery, mismatch, type DeviceQuery } from '../rollouts/device-query.js';
import { stableOrder, waveOf } from '../rollouts/waves.js';
import { fixOutcome, shouldStop, type FixDeviceStatus } from './outcome.js';

export interface StartFixRequest {
  action: string;
  params: Record<string, unknown>;
  query: DeviceQuery;
  /** How many waves (1–10); the first is the smallest. */
  waves: number;
  /** Stop when failed ÷ (succeeded + failed) passes this (0–1). */
  maxFailureRate: number;
  /** How long each command stays valid; a device offline for longer is `unreached`. */
  ttlMs?: number | undefined;
}

export type FixStatus = 'running' | 'completed' | 'stopped' | 'aborted';

export interface FixReport {
  id: string;
  action: string;
  params: Record<string, unknown>;
  query: DeviceQuery;
  waves: number;
  wave: number;
  maxFailureRate: number;
  status: FixStatus;
  reason: string | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  counts: Record<FixDeviceStatus, number>;
  devices: {
    deviceId: string;
    wave: number;
    commandId: string | null;
    status: FixDeviceStatus;
    reason: string | null;
  }[];
}

const EMPTY_COUNTS: Record<FixDeviceStatus, number> = {
  pending: 0,
  sent: 0,
  succeeded: 0,
  failed: 0,
  skipped: 0,
  unreached: 0,
  'not-sent': 0,
};

const SYSTEM = 'system:fleet-fix';

/** The device's code and its words, as the report shows them (`PRECONDITION_FAILED: precondition … does not hold`). */
const reasonOf = (e: { code?: string | undefined; reason?: string | undefined }): string | null =>
  e.code && e.reason ? `${e.code}: ${e.reason}` : (e.code ?? e.reason ?? null);

/**
 * Fleet-wide fixes (issue 18, "the same machinery runs fleet-wide fixes"): one allow-listed action sent to
 * every device that matches a query, in waves. Each command is an ordinary one (Commands.send: role,
 * catalog, params, signature, id, expiry, audit), issued in the name of the staff member who started the
 * fix. Before each device's command the query is checked again on its current row (a device whose error
 * is gone is skipped); the device checks the action's own precondition (a `PRECONDITION_FAILED` is a skip,
 * not a failure). A wave starts when the one before has settled; the fix stops by itself when the failure
 * rate passes its limit (outcome.ts), and the remaining devices are never sent anything.
 *
 * State lives in the database (migration 018); the outcomes arrive as the fleet's `command` events.
 */
export class FleetFixes {
  private readonly mutex = new Mutex();
  private readonly off: () => void;
  private closed = false;

  constructor(
    private readonly store: SqlStore,
    private readonly deps: {
      commands: Pick<Commands, 'send'>;
      staff: Pick<Staff, 'get'>;
      audit: AuditLog;
      live: LiveBus;
      profiles: ReadonlyMap<string, DeviceProfile>;
      log: Logger;
    },
  ) {
    const onCommand = (e: LiveEvents['command'][0]) => {
      const outcome = fixOutcome(e.status, e.code);
      if (!outcome || this.closed) return;
      this.serial(() => this.settle(e.commandId, outcome, reasonOf(e))).catch((err: unknown) =>
        this.deps.log.error('fleet fix: recording an outcome failed', {
          commandId: e.commandId,
          code: 'INTERNAL',
          reason: (err as Error).message,
        }),
      );
    };
    deps.live.on('command', onCommand);
    this.off = () => deps.live.off('command', onCommand);
  }

  /** Checks the request, records the fix with its devices and sends the first wave; audited. */
  async start(input: StartFixRequest, staff: StaffMember, now: number = Date.now()): Promise<FixReport> {
    const refuse = async (code: ErrorCode, message: string): Promise<never> => {
      await this.deps.audit.record({
        actor: staff.id,
        actorRole: staff.role,
        action: 'fleetfix.start',
        target: input.action,
        outcome: 'refused',
        detail: { code, message },
      });
      throw new TouchpointError(code, message);
    };
    const query = deviceQuery.safeParse(input.query);
    if (!query.success) return refuse(ErrorCode.BAD_PARAMS, `query: ${describeIssues(query.error)}`);
    const profile =
      this.deps.profiles.get(query.data.model) ??
      (await refuse(ErrorCode.NOT_FOUND, `no profile for model ${query.data.model}`));
    const action =
      findAction(profile, input.action) ??
      (await refuse(ErrorCode.UNKNOWN_ACTION, `${input.action} is not in the ${profile.model} catalog`));
    // The catalog's own allow-list: only actions staff may send remotely, with the role they need.
    if (!action.remote) await refuse(ErrorCode.FORBIDDEN_ROLE, `${action.name} can only be started on the device`);
    if (!roleAllows(staff.role, roleForAction(action.name)))
      await refuse(ErrorCode.FORBIDDEN_ROLE, `role ${staff.role} may not send ${action.name}`);
    const params = actionParamsSchema(action).safeParse(input.params);
    if (!params.success) await refuse(ErrorCode.BAD_PARAMS, describeIssues(params.error));
    if (!(input.waves >= 1 && input.waves <= 10)) await refuse(ErrorCode.BAD_PARAMS, 'waves must be 1 to 10');
    if (!(input.maxFailureRate >= 0 && input.maxFailureRate <= 1))
      await refuse(ErrorCode.BAD_PARAMS, 'maxFailureRate must be between 0 and 1');

    const id = newId();
    const matching = (await readDevices(this.store, query.data.model)).filter((d) => !mismatch(d, query.data));
    if (matching.length === 0) await refuse(ErrorCode.NOT_FOUND, 'no device matches the query');
    const order = stableOrder(
      matching.map((d) => d.id),
      id,
    );
    await this.store.transaction(async (tx) => {
      await tx.run(
        tx.q.insertInto('fleet_fixes').values({
          id,
          action: action.name,
          params: JSON.stringify(input.params),
          query: JSON.stringify(query.data),
          waves: input.waves,
          wave: 1,
          // Per mille in an INTEGER column: the same exact value in both dialects.
          max_failure_permille: Math.round(input.maxFailureRate * 1000),
          status: 'running',
          reason: null,
          created_by: staff.id,
          created_at: now,
          updated_at: now,
        }),
      );
      for (const [i, deviceId] of order.entries())
        await tx.run(
          tx.q.insertInto('fleet_fix_devices').values({
            fix_id: id,
            device_id: deviceId,
            wave: waveOf(i, order.length, input.waves),
            command_id: null,
            status: 'pending',
            reason: null,
            updated_at: now,
          }),
        );
    });
    await this.deps.audit.record({
      actor: staff.id,
      actorRole: staff.role,
      action: 'fleetfix.start',
      target: id,
      outcome: 'ok',
      detail: {
        action: action.name,
        params: input.params,
        query: query.data,
        devices: order.length,
        waves: input.waves,
        maxFailureRate: input.maxFailureRate,
      },
    });
    this.ttl.set(id, input.ttlMs);
    await this.serial(() => this.sendWave(id, 1));
    return (await this.report(id))!;
  }

  /** Stops a running fix: nothing more is sent (commands already sent run their course); audited. */
  async abort(id: string, staff: StaffMember): Promise<FixReport> {
    return this.serial(async () => {
      const fix = await this.row(id);
      if (!fix) throw new TouchpointError(ErrorCode.NOT_FOUND, `fleet fix ${id} does not exist`);
      if (fix.status !== 'running') {
        await this.deps.audit.record({
          actor: staff.id,
          actorRole: staff.role,
          action: 'fleetfix.abort',
          target: id,
          outcome: 'refused',
          detail: { status: fix.status },
        });
        throw new TouchpointError(ErrorCode.CONFLICT, `fleet fix ${id} is ${fix.status}, not running`);
      }
      await this.finish(id, 'aborted', `aborted by ${staff.name}`);
      await this.deps.audit.record({
        actor: staff.id,
        actorRole: staff.role,
        action: 'fleetfix.abort',
        target: id,
        outcome: 'ok',
      });
      return (await this.report(id))!;
    });
  }

  async report(id: string): Promise<FixReport | undefined> {
    const fix = await this.row(id);
    if (!fix) return undefined;
    const devices = await this.store.all(
      this.store.q
        .selectFrom('fleet_fix_devices')
        .select(['device_id', 'wave', 'command_id', 'status', 'reason'])
        .where('fix_id', '=', id)
        .orderBy('wave')
        .orderBy('device_id'),
    );
    const counts = { ...EMPTY_COUNTS };
    for (const d of devices) counts[d.status as FixDeviceStatus]++;
    return {
      id: fix.id,
      action: fix.action,
      params: JSON.parse(fix.params) as Record<string, unknown>,
      query: deviceQuery.parse(JSON.parse(fix.query)),
      waves: Number(fix.waves),
      wave: Number(fix.wave),
      maxFailureRate: Number(fix.max_failure_permille) / 1000,
      status: fix.status as FixStatus,
      reason: fix.reason,
      createdBy: fix.created_by,
      createdAt: Number(fix.created_at),
      updatedAt: Number(fix.updated_at),
      counts,
      devices: devices.map((d) => ({
        deviceId: d.device_id,
        wave: Number(d.wave),
        commandId: d.command_id,
        status: d.status as FixDeviceStatus,
        reason: d.reason,
      })),
    };
  }

  /** The newest fixes first, with their counts (the devices list is left empty). */
  async list(limit = 50): Promise<FixReport[]> {
    const ids = await this.store.all(
      this.store.q.selectFrom('fleet_fixes').select('id').orderBy('created_at', 'desc').limit(Math.min(limit, 200)),
    );
    const out: FixReport[] = [];
    for (const { id } of ids) {
      const r = await this.report(id);
      if (r) out.push({ ...r, devices: [] });
    }
    return out;
  }

  close(): void {
    this.closed = true;
    this.off();
  }

  /** Per fix, the TTL it was started with (commands of later waves get the same). */
  private readonly ttl = new Map<string, number | undefined>();

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(fn);
  }

  private row(id: string) {
    return this.store.first(this.store.q.selectFrom('fleet_fixes').selectAll().where('id', '=', id));
  }

  private async setDevice(
    fixId: string,
    deviceId: string,
    status: FixDeviceStatus,
    reason: string | null,
    commandId?: string,
  ) {
    await this.store.run(
      this.store.q
        .updateTable('fleet_fix_devices')
        .set({ status, reason, updated_at: Date.now(), ...(commandId ? { command_id: commandId } : {}) })
        .where('fix_id', '=', fixId)
        .where('device_id', '=', deviceId),
    );
  }

  /** Sends wave `wave` of a running fix, checking each device against the query on its current row first. */
  private async sendWave(id: string, wave: number): Promise<void> {
    const fix = await this.row(id);
    if (!fix || fix.status !== 'running') return;
    const staff = this.deps.staff.get(fix.created_by);
    if (!staff) {
      await this.finish(id, 'stopped', `${fix.created_by} who started the fix can no longer send commands`);
      return;
    }
    const query = deviceQuery.parse(JSON.parse(fix.query));
    const params = JSON.parse(fix.params) as Record<string, unknown>;
    const pending = await this.store.all(
      this.store.q
        .selectFrom('fleet_fix_devices')
        .select('device_id')
        .where('fix_id', '=', id)
        .where('wave', '=', wave)
        .where('status', '=', 'pending')
        .orderBy('device_id'),
    );
    const rows = new Map((await readDevices(this.store, query.model)).map((d) => [d.id, d]));
    for (const { device_id: deviceId } of pending) {
      const device = rows.get(deviceId);
      const why = device ? mismatch(device, query) : 'the device was removed';
      if (why) {
        await this.setDevice(id, deviceId, 'skipped', why);
        continue;
      }
      try {
        const command = await this.deps.commands.send({
          deviceId,
          action: fix.action,
          params,
          staff,
          ...(this.ttl.get(id) !== undefined ? { ttlMs: this.ttl.get(id) } : {}),
        });
        // Outcomes wait for this wave's sends (one mutex), so the row is still pending here.
        await this.store.run(
          this.store.q
            .updateTable('fleet_fix_devices')
            .set({ status: 'sent', command_id: command.id, updated_at: Date.now() })
            .where('fix_id', '=', id)
            .where('device_id', '=', deviceId)
            .where('status', '=', 'pending'),
        );
      } catch (err) {
        const code = err instanceof TouchpointError ? err.code : ErrorCode.INTERNAL;
        await this.setDevice(id, deviceId, 'failed', `not sent: ${code}: ${(err as Error).message}`);
      }
    }
    await this.check(id);
  }

  private async settle(commandId: string, outcome: FixDeviceStatus, reason: string | null): Promise<void> {
    const row = await this.store.first(
      this.store.q
        .selectFrom('fleet_fix_devices')
        .select(['fix_id', 'device_id', 'status'])
        .where('command_id', '=', commandId),
    );
    if (!row || row.status !== 'sent') return;
    // Conditional on `sent`: where several processes hear the outcome (API processes on one database), one records it.
    const changed = await this.store.run(
      this.store.q
        .updateTable('fleet_fix_devices')
        .set({ status: outcome, reason: outcome === 'succeeded' ? null : reason, updated_at: Date.now() })
        .where('fix_id', '=', row.fix_id)
        .where('device_id', '=', row.device_id)
        .where('status', '=', 'sent'),
    );
    if (changed === 1) await this.check(row.fix_id);
  }

  /** After each change: stop on the failure rate, else start the next wave when this one has settled. */
  private async check(id: string): Promise<void> {
    const fix = await this.row(id);
    if (!fix || fix.status !== 'running') return;
    const rows = await this.store.all(
      this.store.q.selectFrom('fleet_fix_devices').select(['wave', 'status']).where('fix_id', '=', id),
    );
    const wave = Number(fix.wave);
    const sent = rows.filter((r) => Number(r.wave) <= wave);
    const tally = {
      succeeded: sent.filter((r) => r.status === 'succeeded').length,
      failed: sent.filter((r) => r.status === 'failed').length,
      outstanding: sent.filter((r) => r.status === 'sent' || r.status === 'pending').length,
    };
    const maxRate = Number(fix.max_failure_permille) / 1000;
    if (shouldStop(tally, maxRate)) {
      const rate = tally.failed / (tally.succeeded + tally.failed + tally.outstanding);
      await this.finish(
        id,
        'stopped',
        `failure rate ${(rate * 100).toFixed(0)} % passed the limit of ${(maxRate * 100).toFixed(0)} % in wave ${wave}`,
      );
      return;
    }
    if (tally.outstanding > 0) return;
    if (wave >= Number(fix.waves)) {
      await this.finish(id, 'completed', null);
      return;
    }
    // Only the process whose update moved the wave sends it.
    const moved = await this.store.run(
      this.store.q
        .updateTable('fleet_fixes')
        .set({ wave: wave + 1, updated_at: Date.now() })
        .where('id', '=', id)
        .where('wave', '=', wave)
        .where('status', '=', 'running'),
    );
    if (moved === 1) await this.sendWave(id, wave + 1);
  }

  private async finish(id: string, status: Exclude<FixStatus, 'running'>, reason: string | null): Promise<void> {
    const now = Date.now();
    // Conditional on `running`: one process ends it (and audits it), whoever else saw the same outcome.
    const ended = await this.store.run(
      this.store.q
        .updateTable('fleet_fixes')
        .set({ status, reason, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'running'),
    );
    this.ttl.delete(id);
    if (ended !== 1) return;
    await this.store.run(
      this.store.q
        .updateTable('fleet_fix_devices')
        .set({ status: 'not-sent', reason: `the fix ${status}`, updated_at: now })
        .where('fix_id', '=', id)
        .where('status', '=', 'pending'),
    );
    if (status !== 'aborted')
      await this.deps.audit.record({
        actor: SYSTEM,
        action: `fleetfix.${status}`,
        target: id,
        outcome: 'ok',
        detail: { reason },
      });
    this.deps.log.info('fleet fix ended', { fixId: id, status, reason });
  }
}
