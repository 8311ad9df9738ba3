import type { DeviceProfile } from '@touchpoint/protocol';
import type { Prepared, SqlStore } from '../db/sql-store.js';

interface Known {
  model: string;
  keys: ReadonlySet<string>;
}

const UNKNOWN: Known = { model: '(unknown)', keys: new Set() };

/**
 * The sensor names a device may report: those its model's profile declares
 * (issue 12 #9). Without this a device could invent any number of keys, each
 * stored with every snapshot and shown in the console. A device whose model has
 * no profile loaded may report no sensors at all.
 *
 * A device's model never changes once provisioned, so its key set is looked up
 * once (`load`, from the store) and checked synchronously after that; the cache
 * is bounded by the fleet (only authenticated devices get here).
 */
export class SensorKeys {
  private readonly byDevice = new Map<string, Known>();
  private readonly byModel = new Map<string, ReadonlySet<string>>();
  private readonly modelOf: Prepared<{ id: string }, { model: string }>;

  constructor(
    private readonly store: SqlStore,
    private readonly profiles: ReadonlyMap<string, DeviceProfile>,
  ) {
    this.modelOf = store.prepare((q, $) => q.selectFrom('devices').select('model').where('id', '=', $('id')));
  }

  /** True when the device's keys are at hand, so `unknownKey` needs no lookup. */
  cached(deviceId: string): boolean {
    return this.byDevice.has(deviceId);
  }

  /** Reads the device's model once. An unknown device (a will of a deleted one) is not cached: it may be provisioned later. */
  async load(deviceId: string): Promise<void> {
    if (this.byDevice.has(deviceId)) return;
    const row = await this.store.first(this.modelOf.bind({ id: deviceId }));
    if (!row) return;
    let keys = this.byModel.get(row.model);
    if (!keys)
      this.byModel.set(row.model, (keys = new Set(this.profiles.get(row.model)?.sensors.map((s) => s.id) ?? [])));
    this.byDevice.set(deviceId, { model: row.model, keys });
  }

  /**
   * A reason naming the first sensor key the device's profile does not declare, or undefined when all are
   * known. After `load`: a device it did not find may report no sensors.
   */
  unknownKey(deviceId: string, sensors: Readonly<Record<string, unknown>>): string | undefined {
    const known = this.byDevice.get(deviceId) ?? UNKNOWN;
    for (const key of Object.keys(sensors)) {
      if (!known.keys.has(key)) return `sensor ${JSON.stringify(key)} is not in the ${known.model} profile`;
    }
    return undefined;
  }
}
