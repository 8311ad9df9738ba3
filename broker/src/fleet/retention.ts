import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { LiveBus } from './live.js';

/** How long rows of one kind are kept, and how many per device; 0 turns a bound off. */
export interface RetentionPolicy {
  maxAgeMs: number;
  maxRowsPerDevice: number;
}

/**
 * Retention of the device history (DESIGN.md §3.5: "retention is
 * configurable"; issue 12 #9). Documented in docs/protocol.md, "Limits and
 * retention".
 */
export interface RetentionOptions {
  diagnostics: RetentionPolicy;
  events: RetentionPolicy;
  presence: RetentionPolicy;
  /** Support bundles with their request rows (issue 17), by request time. */
  bundles: RetentionPolicy;
  /** Rows one DELETE removes at most: small, so a sweep never holds the writer for long. */
  batchRows: number;
  /** Devices whose row cap is checked per table per pass. */
  devicesPerPass: number;
  /** Time between sweeps once there is nothing left to delete. */
  intervalMs: number;
  /** Pause between passes while rows are still due: ingest gets the writer in between. */
  busyPauseMs: number;
}

const DAY = 24 * 60 * 60 * 1000;

export const DEFAULT_RETENTION: RetentionOptions = {
  // About 35 days of snapshots at the agent's default one a minute.
  diagnostics: { maxAgeMs: 30 * DAY, maxRowsPerDevice: 50_000 },
  events: { maxAgeMs: 90 * DAY, maxRowsPerDevice: 20_000 },
  presence: { maxAgeMs: 90 * DAY, maxRowsPerDevice: 5_000 },
  // A bundle is kept while its case is worked; a device's newest 50 requests at most.
  bundles: { maxAgeMs: 30 * DAY, maxRowsPerDevice: 50 },
  batchRows: 500,
  devicesPerPass: 50,
  intervalMs: 60_000,
  busyPauseMs: 25,
};

export type RetainedTable = 'diagnostics' | 'events' | 'presence' | 'bundles';

/**
 * Per table: the broker's receive time (never the device's clock, which a
 * device could set far ahead to keep its rows forever), and the indexed column
 * a device's own rows are ordered by when its row cap is applied.
 */
const TABLES: Record<RetainedTable, { table: string; receivedAt: string; deviceOrder: string; keepNewest: boolean }> = {
  // The newest snapshot of each device is kept whatever its age: the console shows it as the last known state.
  diagnostics: { table: 'diagnostics', receivedAt: 'received_at', deviceOrder: 'ts', keepNewest: true },
  events: { table: 'events', receivedAt: 'received_at', deviceOrder: 'ts', keepNewest: false },
  presence: { table: 'presence_history', receivedAt: 'at', deviceOrder: 'at', keepNewest: false },
  bundles: { table: 'case_bundles', receivedAt: 'requested_at', deviceOrder: 'requested_at', keepNewest: false },
};

export interface SweepResult {
  deleted: Record<RetainedTable, number>;
  /** Rows may still be due: the caller should sweep again soon. */
  more: boolean;
}

/**
 * Deletes old device history in small batches. Rows are inserted in receive
 * order, so the oldest are the first by rowid: each pass looks at the next
 * `batchRows` rows from the head (no index on the receive time, none of the
 * ingest cost one would add) and deletes those past their age, until it meets
 * the first row that is still young. Row caps are
 * checked only for devices that stored enough rows since their last check,
 * which the fleet's live events tell.
 */
export class Retention {
  private readonly ageBatch = new Map<
    RetainedTable,
    { run(cutoff: number, limit: number): { deleted: number; more: boolean } }
  >();
  /** Where the age pass goes on: the last rowid looked at, 0 for the head. */
  private readonly cursor = new Map<RetainedTable, number>();
  private readonly capBatch = new Map<
    RetainedTable,
    { run(deviceId: string, limit: number, offset: number): { changes: number } }
  >();
  /** Rows stored per device since its cap was last checked; a device is due at a tenth of its cap. */
  private readonly sinceCheck = new Map<RetainedTable, Map<string, number>>();
  private readonly due = new Map<RetainedTable, Set<string>>();
  private readonly totals: Record<RetainedTable, number> = { diagnostics: 0, events: 0, presence: 0, bundles: 0 };
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    private readonly db: Db,
    live: LiveBus,
    readonly options: RetentionOptions,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    for (const name of Object.keys(TABLES) as RetainedTable[]) {
      const t = TABLES[name];
      const superseded = t.keepNewest
        ? `EXISTS (SELECT 1 FROM ${t.table} n WHERE n.device_id = o.device_id AND n.${t.deviceOrder} > o.${t.deviceOrder})`
        : '1';
      const scan = db.prepare(
        `SELECT o.rowid AS id, o.received, ${superseded} AS deletable FROM (SELECT rowid, device_id, ${t.deviceOrder}, ${t.receivedAt} AS received FROM ${t.table} WHERE rowid > ? ORDER BY rowid LIMIT ?) o`,
      );
      const remove = db.prepare(`DELETE FROM ${t.table} WHERE rowid IN (SELECT value FROM json_each(?))`);
      this.ageBatch.set(name, {
        run: (cutoff, limit) => {
          const rows = scan.all(this.cursor.get(name) ?? 0, limit) as {
            id: number;
            received: number;
            deletable: number;
          }[];
          const ids: number[] = [];
          let boundary = rows.length < limit;
          for (const r of rows) {
            if (r.received >= cutoff) {
              boundary = true;
              break;
            }
            if (r.deletable) ids.push(r.id);
          }
          // Past the boundary (or the table's end) the next cycle starts at the head again; otherwise it goes on
          // after this batch, so kept rows at the head (each device's newest snapshot) never stall the sweep.
          this.cursor.set(name, boundary ? 0 : rows[rows.length - 1]!.id);
          const deleted = ids.length ? remove.run(JSON.stringify(ids)).changes : 0;
          return { deleted, more: !boundary };
        },
      });
      const cap = db.prepare(
        `DELETE FROM ${t.table} WHERE rowid IN (SELECT rowid FROM ${t.table} WHERE device_id = ? ORDER BY ${t.deviceOrder} DESC LIMIT ? OFFSET ?)`,
      );
      this.capBatch.set(name, { run: (deviceId, limit, offset) => cap.run(deviceId, limit, offset) });
      this.sinceCheck.set(name, new Map());
      this.due.set(name, new Set());
    }
    live.on('diagnostics', (d) => this.stored('diagnostics', d.deviceId));
    live.on('event', (e) => this.stored('events', e.deviceId));
    live.on('presence', (p) => this.stored('presence', p.deviceId));
    // A bundle request is a new row of its device (issue 17): its cap is checked as the other tables' are.
    live.on('audit', (a) => {
      if (a.action === 'bundle.request' && a.deviceId) this.stored('bundles', a.deviceId);
    });
  }

  /** Rows deleted since start, per table. */
  get deletedTotals(): Readonly<Record<RetainedTable, number>> {
    return { ...this.totals };
  }

  /** Sweeps every `intervalMs`, and again after `busyPauseMs` while rows are still due. */
  start(): void {
    this.stopped = false;
    this.schedule(this.options.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One pass: at most one age batch per table and one cap batch per due device (up to `devicesPerPass`). */
  sweep(now: number = this.clock()): SweepResult {
    const deleted: Record<RetainedTable, number> = { diagnostics: 0, events: 0, presence: 0, bundles: 0 };
    let more = false;
    const { batchRows } = this.options;
    for (const name of Object.keys(TABLES) as RetainedTable[]) {
      const policy = this.options[name];
      if (policy.maxAgeMs > 0) {
        const age = this.ageBatch.get(name)!.run(now - policy.maxAgeMs, batchRows);
        deleted[name] += age.deleted;
        if (age.more) more = true;
      }
      const due = this.due.get(name)!;
      if (policy.maxRowsPerDevice > 0) {
        let checked = 0;
        for (const deviceId of due) {
          if (checked++ >= this.options.devicesPerPass) break;
          const n = this.capBatch.get(name)!.run(deviceId, batchRows, policy.maxRowsPerDevice).changes;
          deleted[name] += n;
          if (n < batchRows) due.delete(deviceId);
        }
      } else {
        due.clear();
      }
      if (due.size > 0) more = true;
      this.totals[name] += deleted[name];
    }
    if (deleted.diagnostics + deleted.events + deleted.presence + deleted.bundles > 0)
      this.log.debug('retention sweep', { deleted, more });
    return { deleted, more };
  }

  /** Sweeps until nothing is due (for the CLI and tests); returns the rows deleted per table. */
  sweepAll(now: number = this.clock()): Record<RetainedTable, number> {
    const sum: Record<RetainedTable, number> = { diagnostics: 0, events: 0, presence: 0, bundles: 0 };
    for (;;) {
      const r = this.sweep(now);
      for (const name of Object.keys(sum) as RetainedTable[]) sum[name] += r.deleted[name];
      if (!r.more) return sum;
    }
  }

  private stored(name: RetainedTable, deviceId: string): void {
    const cap = this.options[name].maxRowsPerDevice;
    if (cap <= 0) return;
    const every = Math.max(1, Math.floor(cap / 10));
    const counts = this.sinceCheck.get(name)!;
    // A device seen for the first time since start is checked at once: its rows before the start are unknown.
    const n = (counts.get(deviceId) ?? every - 1) + 1;
    if (n >= every) {
      counts.set(deviceId, 0);
      this.due.get(name)!.add(deviceId);
    } else {
      counts.set(deviceId, n);
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      let more = false;
      try {
        more = this.sweep().more;
      } catch (err) {
        this.log.error('retention sweep failed', { code: 'INTERNAL', reason: (err as Error).message });
      }
      this.schedule(more ? this.options.busyPauseMs : this.options.intervalMs);
    }, ms);
    this.timer.unref();
  }
}
