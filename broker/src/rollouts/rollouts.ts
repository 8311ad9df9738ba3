import { ErrorCode, TouchpointError, newId } from '@touchpoint/protocol';
import type { ContentVersion } from '../content/index.js';
import { Mutex } from '../db/mutex.js';
import type { SqlStore } from '../db/sql-store.js';
import type { AuditLog } from '../fleet/audit.js';
import type { Commands } from '../fleet/commands.js';
import type { LiveBus, LiveEvents } from '../fleet/live.js';
import { roleAllows, type Staff, type StaffMember } from '../fleet/staff.js';
import type { Logger } from '../logger.js';
import { armSample } from './arm-sample.js';
import { DesiredContent, type PublishedContent } from './desired-state.js';
import { mismatch } from './device-query.js';
import { compareArms, DEFAULT_THRESHOLDS, type CompareThresholds, type Comparison } from './kpi-compare.js';
import { readDevices } from './read-devices.js';
import { cohortSize, stableOrder, waveOf } from './waves.js';

/** Who gets the new version: a share of the model's devices that match the tags and firmware; the rest is control. */
export interface Cohort {
  percent: number;
  tags: string[];
  firmware: string[];
}

export interface CreateRolloutRequest {
  versionId: string;
  cohort: Cohort;
  /** Waves the cohort is split into (1–10); each must pass the KPI comparison before the next starts. */
  waves: number;
  thresholds?: Partial<CompareThresholds> | undefined;
}

export type RolloutStatus = 'running' | 'paused' | 'completed' | 'aborted';

/** Per group: how many devices, and how many run what they should (desired = reported). */
export interface Convergence {
  group: string;
  devices: number;
  converged: number;
}

export interface RolloutView {
  id: string;
  model: string;
  versionId: string;
  versionNumber: number;
  sha256: string;
  cohort: Cohort;
  thresholds: CompareThresholds;
  waves: number;
  wave: number;
  status: RolloutStatus;
  verdict: Comparison | null;
  reason: string | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  convergence: Convergence[];
}

/** The approved versions' signed documents, as devices fetch them (content-documents.ts). */
export interface ContentPublisher {
  publish(version: ContentVersion): Promise<PublishedContent>;
  /** The document's bytes, as served at the published URL. */
  document(version: ContentVersion): { bytes: Buffer };
}

/** What a rollout reads of the content versions (broker/src/content, issue 18). */
export type RolloutVersions = {
  get(id: string): Promise<ContentVersion | undefined>;
  baseline(model: string): Promise<ContentVersion | undefined>;
  setBaseline(id: string, actor: { id: string; role?: string | undefined }): Promise<unknown>;
};

const SYSTEM = 'system:rollout';

/**
 * Staged rollouts that stop themselves (issue 18). A rollout sends an approved content version (signed with
 * the maker's content key) to a cohort of one model's devices: `percent` of those matching the tags and
 * firmware, chosen by a stable hash (waves.ts); every other matching device is the control group and keeps
 * its content. The cohort goes out in waves. `evaluate` (a timer, or a test) compares the KPIs of the new
 * version against the control since the wave started (kpi-compare.ts, arm-sample.ts):
 * - `continue`: not enough sessions yet; wait.
 * - `advance`: the next wave gets the version; after the last, the version becomes the model's baseline.
 * - `abort`: the rollout stops by itself and every device of the cohort is sent its previous content
 *   (desired state, desired-state.ts), so it converges back, offline devices on their next birth.
 * Staff pause, resume and abort; every step is audited (`rollout.*`). The installs are signed `help.install`
 * commands issued in the name of the admin who created the rollout.
 */
export class Rollouts {
  readonly desired: DesiredContent;
  private readonly mutex = new Mutex();
  private readonly offs: (() => void)[] = [];
  private closed = false;
  private publisher: ContentPublisher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: SqlStore,
    private readonly deps: {
      commands: Pick<Commands, 'send' | 'get' | 'withdraw'>;
      staff: Pick<Staff, 'get'>;
      audit: AuditLog;
      live: LiveBus;
      versions: RolloutVersions;
      /** Undefined until the broker has a content key (usePublisher): then a rollout is refused. */
      publisher?: ContentPublisher | undefined;
      log: Logger;
    },
  ) {
    this.desired = new DesiredContent(store, deps.commands, deps.log);
    this.publisher = deps.publisher;
    const guard = (what: string, fn: () => Promise<void>) =>
      this.mutex
        .run(fn)
        .catch((err: unknown) =>
          deps.log.error(`rollout: ${what} failed`, { code: 'INTERNAL', reason: (err as Error).message }),
        );
    // Only the process that holds the content key (the embedded broker, --content-key) converges devices, so
    // API processes that hear the same relayed births do not send the same install again.
    const onBirth = (e: LiveEvents['birth'][0]) => {
      if (this.closed || !this.publisher) return;
      void guard('converging a device on its birth', () =>
        this.desired.reported(e.deviceId, e.contentVersion ?? null, (id) => this.creator(id), e.at),
      );
    };
    const onCommand = (e: LiveEvents['command'][0]) => {
      if (this.closed || !this.publisher || e.status !== 'succeeded') return;
      void guard('recording an install', () => this.installed(e.commandId));
    };
    deps.live.on('birth', onBirth);
    deps.live.on('command', onCommand);
    this.offs.push(
      () => deps.live.off('birth', onBirth),
      () => deps.live.off('command', onCommand),
    );
  }

  async create(input: CreateRolloutRequest, staff: StaffMember, now: number = Date.now()): Promise<RolloutView> {
    const refuse = async (code: ErrorCode, message: string): Promise<never> => {
      await this.audit(staff, 'rollout.create', input.versionId, 'refused', { code, message });
      throw new TouchpointError(code, message);
    };
    // Installing help content is an admin's operation (action-roles.ts, issue 12 item 7).
    if (!roleAllows(staff.role, 'admin'))
      await refuse(ErrorCode.FORBIDDEN_ROLE, `role ${staff.role} may not roll out content`);
    const { percent, tags, firmware } = input.cohort;
    if (!(percent > 0 && percent <= 100))
      await refuse(ErrorCode.BAD_PARAMS, 'percent must be more than 0 and at most 100');
    if (!(Number.isInteger(input.waves) && input.waves >= 1 && input.waves <= 10))
      await refuse(ErrorCode.BAD_PARAMS, 'waves must be 1 to 10');
    const version =
      (await this.deps.versions.get(input.versionId)) ??
      (await refuse(ErrorCode.NOT_FOUND, `content version ${input.versionId} does not exist`));
    // Only reviewed content reaches devices (issue 18, four eyes).
    if (version.status !== 'approved')
      await refuse(
        ErrorCode.CONFLICT,
        `version ${version.number} of ${version.model} is ${version.status}, not approved`,
      );
    const active = await this.store.first(
      this.store.q
        .selectFrom('rollouts')
        .select('id')
        .where('model', '=', version.model)
        .where('status', 'in', ['running', 'paused']),
    );
    if (active) await refuse(ErrorCode.CONFLICT, `rollout ${active.id} of ${version.model} has not ended`);
    const baseline = await this.deps.versions.baseline(version.model);
    if (baseline?.id === version.id) await refuse(ErrorCode.CONFLICT, `version ${version.number} is already live`);
    const publisher =
      this.publisher ??
      (await refuse(ErrorCode.CONFLICT, 'this broker has no help content key to sign versions with (--content-key)'));
    const target = await publisher.publish(version);
    const previous = baseline ? await publisher.publish(baseline) : undefined;

    const query = { model: version.model, tags, firmware };
    const eligible = (await readDevices(this.store, version.model)).filter((d) => !mismatch(d, query)).map((d) => d.id);
    if (eligible.length === 0) await refuse(ErrorCode.NOT_FOUND, `no ${version.model} device matches the cohort`);
    const id = newId();
    const order = stableOrder(eligible, id);
    const size = cohortSize(order.length, percent);
    const thresholds = { ...DEFAULT_THRESHOLDS, ...input.thresholds };
    await this.store.transaction(async (tx) => {
      await tx.run(
        tx.q.insertInto('rollouts').values({
          id,
          model: version.model,
          version_id: version.id,
          version_number: version.number,
          sha256: target.sha256,
          url: target.url,
          cohort: JSON.stringify({ percent, tags, firmware }),
          thresholds: JSON.stringify(thresholds),
          waves: Math.min(input.waves, size),
          wave: 1,
          wave_started_at: now,
          status: 'running',
          verdict: null,
          reason: null,
          created_by: staff.id,
          created_at: now,
          updated_at: now,
        }),
      );
      for (const [i, deviceId] of order.entries()) {
        const current = await tx.first(
          tx.q.selectFrom('device_content').select(['desired_sha256', 'desired_url']).where('device_id', '=', deviceId),
        );
        // What the device should run before this rollout: what a rollback restores.
        const before =
          current?.desired_sha256 && current.desired_url
            ? { sha256: current.desired_sha256, url: current.desired_url }
            : previous;
        await tx.run(
          tx.q.insertInto('rollout_devices').values({
            rollout_id: id,
            device_id: deviceId,
            arm: i < size ? 'candidate' : 'control',
            wave: i < size ? waveOf(i, size, Math.min(input.waves, size)) : 0,
            previous_sha256: before?.sha256 ?? null,
            previous_url: before?.url ?? null,
            assigned_at: null,
            installed_at: null,
          }),
        );
      }
    });
    await this.audit(staff, 'rollout.create', id, 'ok', {
      versionId: version.id,
      model: version.model,
      number: version.number,
      cohort: { percent, tags, firmware },
      devices: size,
      control: order.length - size,
      waves: input.waves,
      thresholds,
    });
    await this.mutex.run(() => this.startWave(id, 1, staff, now));
    return (await this.view(id))!;
  }

  /**
   * Judges every running rollout once: compares the KPIs of the current wave, then advances, completes or
   * aborts (and rolls back). Returns the comparisons by rollout id.
   */
  async evaluate(now: number = Date.now()): Promise<Map<string, Comparison>> {
    return this.mutex.run(async () => {
      const running = await this.store.all(
        this.store.q.selectFrom('rollouts').selectAll().where('status', '=', 'running').orderBy('created_at'),
      );
      const out = new Map<string, Comparison>();
      for (const r of running) {
        const thresholds = JSON.parse(r.thresholds) as CompareThresholds;
        const since = Number(r.wave_started_at);
        const comparison = compareArms(
          await armSample(this.store, r.id, 'candidate', since),
          await armSample(this.store, r.id, 'control', since),
          thresholds,
        );
        out.set(r.id, comparison);
        await this.store.run(
          this.store.q
            .updateTable('rollouts')
            .set({ verdict: JSON.stringify(comparison), updated_at: now })
            .where('id', '=', r.id),
        );
        if (comparison.verdict === 'abort')
          await this.stop(r.id, `stopped by itself: ${comparison.reasons.join('; ')}`, null, now);
        else if (comparison.verdict === 'advance') await this.advance(r.id, now);
      }
      return out;
    });
  }

  async pause(id: string, staff: StaffMember): Promise<RolloutView> {
    return this.staffChange(id, staff, 'rollout.pause', ['running'], async () => {
      await this.setStatus(id, 'paused', `paused by ${staff.name}`);
    });
  }

  async resume(id: string, staff: StaffMember): Promise<RolloutView> {
    return this.staffChange(id, staff, 'rollout.resume', ['paused'], async () => {
      // The wave is judged afresh from now: sessions while paused were not watched.
      await this.store.run(
        this.store.q
          .updateTable('rollouts')
          .set({ status: 'running', reason: null, wave_started_at: Date.now(), updated_at: Date.now() })
          .where('id', '=', id),
      );
    });
  }

  async abort(id: string, staff: StaffMember): Promise<RolloutView> {
    return this.staffChange(id, staff, 'rollout.abort', ['running', 'paused'], () =>
      this.stop(id, `aborted by ${staff.name}`, staff, Date.now()),
    );
  }

  async view(id: string): Promise<RolloutView | undefined> {
    const r = await this.store.first(this.store.q.selectFrom('rollouts').selectAll().where('id', '=', id));
    if (!r) return undefined;
    return {
      id: r.id,
      model: r.model,
      versionId: r.version_id,
      versionNumber: Number(r.version_number),
      sha256: r.sha256,
      cohort: JSON.parse(r.cohort) as Cohort,
      thresholds: JSON.parse(r.thresholds) as CompareThresholds,
      waves: Number(r.waves),
      wave: Number(r.wave),
      status: r.status as RolloutStatus,
      verdict: r.verdict ? (JSON.parse(r.verdict) as Comparison) : null,
      reason: r.reason,
      createdBy: r.created_by,
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
      convergence: await this.convergence(id),
    };
  }

  async list(limit = 50): Promise<RolloutView[]> {
    const ids = await this.store.all(
      this.store.q.selectFrom('rollouts').select('id').orderBy('created_at', 'desc').limit(Math.min(limit, 200)),
    );
    const out: RolloutView[] = [];
    for (const { id } of ids) {
      const v = await this.view(id);
      if (v) out.push(v);
    }
    return out;
  }

  /** What signs and serves the versions (undefined without a content key); content-handler.ts serves with it. */
  get documents(): ContentPublisher | undefined {
    return this.publisher;
  }

  /** Signs and serves the versions a rollout sends (start-broker: the maker's content key and the public URL). */
  usePublisher(publisher: ContentPublisher): void {
    this.publisher = publisher;
  }

  /** Judges the running rollouts every `intervalMs` (a failed round is logged; the next one tries again). */
  start(intervalMs: number): void {
    this.timer ??= setInterval(() => {
      if (this.closed) return;
      this.evaluate().catch((err: unknown) =>
        this.deps.log.error('rollout evaluation failed', { code: 'INTERNAL', reason: (err as Error).message }),
      );
    }, intervalMs);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const off of this.offs) off();
  }

  /**
   * Per group (each wave of the cohort, and the control): devices, and those whose reported content is their
   * desired one. A control device no rollout ever touched has no desired state and counts as converged.
   */
  private async convergence(id: string): Promise<Convergence[]> {
    const rows = await this.store.all(
      this.store.q
        .selectFrom('rollout_devices as r')
        .leftJoin('device_content as c', 'c.device_id', 'r.device_id')
        .select(['r.arm', 'r.wave', 'r.assigned_at', 'c.desired_sha256', 'c.reported_sha256'])
        .where('r.rollout_id', '=', id),
    );
    const groups = new Map<string, Convergence>();
    for (const row of rows) {
      const group = row.arm === 'control' ? 'control' : `wave ${Number(row.wave)}`;
      const g = groups.get(group) ?? { group, devices: 0, converged: 0 };
      g.devices++;
      if (!row.desired_sha256 || row.desired_sha256 === row.reported_sha256) g.converged++;
      groups.set(group, g);
    }
    return [...groups.values()].sort((a, b) => a.group.localeCompare(b.group));
  }

  private async creator(rolloutId: string): Promise<StaffMember | undefined> {
    const r = await this.store.first(
      this.store.q.selectFrom('rollouts').select('created_by').where('id', '=', rolloutId),
    );
    return r ? this.deps.staff.get(r.created_by) : undefined;
  }

  /** A succeeded install: the device runs its desired document; a cohort device starts counting for its arm. */
  private async installed(commandId: string): Promise<void> {
    const done = await this.desired.installed(commandId, (id) => this.creator(id));
    if (!done) return;
    await this.store.run(
      this.store.q
        .updateTable('rollout_devices')
        .set({ installed_at: Date.now() })
        .where('device_id', '=', done.deviceId)
        .where('arm', '=', 'candidate')
        .where('installed_at', 'is', null)
        .where('rollout_id', 'in', (eb) =>
          eb
            .selectFrom('rollouts')
            .select('id')
            .where('sha256', '=', done.sha256)
            .where('status', 'in', ['running', 'paused']),
        ),
    );
  }

  private async startWave(id: string, wave: number, staff: StaffMember, now: number): Promise<void> {
    const r = (await this.store.first(this.store.q.selectFrom('rollouts').selectAll().where('id', '=', id)))!;
    const devices = await this.store.all(
      this.store.q
        .selectFrom('rollout_devices')
        .select('device_id')
        .where('rollout_id', '=', id)
        .where('arm', '=', 'candidate')
        .where('wave', '=', wave)
        .orderBy('device_id'),
    );
    for (const { device_id: deviceId } of devices) {
      await this.store.run(
        this.store.q
          .updateTable('rollout_devices')
          .set({ assigned_at: now })
          .where('rollout_id', '=', id)
          .where('device_id', '=', deviceId),
      );
      await this.desired.set(deviceId, { sha256: r.sha256, url: r.url }, id, staff, now);
      // A device that already ran this document counts from now.
      const state = await this.desired.get(deviceId);
      if (state?.reported_sha256 === r.sha256)
        await this.store.run(
          this.store.q
            .updateTable('rollout_devices')
            .set({ installed_at: now })
            .where('rollout_id', '=', id)
            .where('device_id', '=', deviceId),
        );
    }
    this.deps.log.info('rollout wave started', { rolloutId: id, wave, devices: devices.length });
  }

  private async advance(id: string, now: number): Promise<void> {
    const r = (await this.store.first(this.store.q.selectFrom('rollouts').selectAll().where('id', '=', id)))!;
    const wave = Number(r.wave);
    if (wave >= Number(r.waves)) {
      await this.setStatus(id, 'completed', null);
      await this.deps.versions.setBaseline(r.version_id, { id: SYSTEM });
      await this.deps.audit.record({
        actor: SYSTEM,
        action: 'rollout.complete',
        target: id,
        outcome: 'ok',
        detail: { waves: wave },
      });
      return;
    }
    const staff = this.deps.staff.get(r.created_by);
    if (!staff) {
      await this.setStatus(id, 'paused', `${r.created_by} who created the rollout can no longer install content`);
      return;
    }
    await this.store.run(
      this.store.q
        .updateTable('rollouts')
        .set({ wave: wave + 1, wave_started_at: now, updated_at: now })
        .where('id', '=', id),
    );
    await this.deps.audit.record({
      actor: SYSTEM,
      action: 'rollout.advance',
      target: id,
      outcome: 'ok',
      detail: { wave: wave + 1 },
    });
    await this.startWave(id, wave + 1, staff, now);
  }

  /** Aborts: no more waves, and every device of the cohort that was sent the version gets its previous content. */
  private async stop(id: string, reason: string, by: StaffMember | null, now: number): Promise<void> {
    const r = (await this.store.first(this.store.q.selectFrom('rollouts').selectAll().where('id', '=', id)))!;
    await this.setStatus(id, 'aborted', reason);
    if (!by)
      await this.deps.audit.record({
        actor: SYSTEM,
        action: 'rollout.abort',
        target: id,
        outcome: 'ok',
        detail: { reason },
      });
    const staff = by ?? this.deps.staff.get(r.created_by);
    const sent = await this.store.all(
      this.store.q
        .selectFrom('rollout_devices')
        .select(['device_id', 'previous_sha256', 'previous_url'])
        .where('rollout_id', '=', id)
        .where('arm', '=', 'candidate')
        .where('assigned_at', 'is not', null),
    );
    let restored = 0;
    for (const d of sent) {
      if (!d.previous_sha256 || !d.previous_url || !staff) {
        this.deps.log.warn('rollback: no previous content known for a device', {
          rolloutId: id,
          deviceId: d.device_id,
        });
        continue;
      }
      await this.desired.set(d.device_id, { sha256: d.previous_sha256, url: d.previous_url }, id, staff, now);
      restored++;
    }
    this.deps.log.warn('rollout aborted, rolling back', { rolloutId: id, reason, devices: restored });
  }

  private async setStatus(id: string, status: RolloutStatus, reason: string | null): Promise<void> {
    await this.store.run(
      this.store.q.updateTable('rollouts').set({ status, reason, updated_at: Date.now() }).where('id', '=', id),
    );
  }

  private async staffChange(
    id: string,
    staff: StaffMember,
    action: string,
    from: RolloutStatus[],
    change: () => Promise<void>,
  ): Promise<RolloutView> {
    await this.mutex.run(async () => {
      const r = await this.store.first(this.store.q.selectFrom('rollouts').select('status').where('id', '=', id));
      if (!r) {
        await this.audit(staff, action, id, 'refused', { code: ErrorCode.NOT_FOUND });
        throw new TouchpointError(ErrorCode.NOT_FOUND, `rollout ${id} does not exist`);
      }
      if (!roleAllows(staff.role, 'admin') || !from.includes(r.status as RolloutStatus)) {
        const forbidden = !roleAllows(staff.role, 'admin');
        await this.audit(staff, action, id, 'refused', { status: r.status });
        throw new TouchpointError(
          forbidden ? ErrorCode.FORBIDDEN_ROLE : ErrorCode.CONFLICT,
          forbidden ? `role ${staff.role} may not change a rollout` : `rollout ${id} is ${r.status}`,
        );
      }
      await change();
      await this.audit(staff, action, id, 'ok');
    });
    return (await this.view(id))!;
  }

  private async audit(
    staff: StaffMember,
    action: string,
    target: string,
    outcome: 'ok' | 'refused',
    detail?: Record<string, unknown>,
  ): Promise<void> {
    await this.deps.audit.record({ actor: staff.id, actorRole: staff.role, action, target, outcome, detail });
  }
}
