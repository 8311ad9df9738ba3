import type { DeviceProfile } from '@touchpoint/protocol';
import type { Db } from '../db/database.js';

/**
 * The sensor names a device may report: those its model's profile declares
 * (issue 12 #9). Without this a device could invent any number of keys, each
 * stored with every snapshot and shown in the console. A device whose model has
 * no profile loaded may report no sensors at all.
 *
 * A device's model never changes once provisioned, so its key set is looked up
 * once; the cache is bounded by the fleet (only authenticated devices get here).
 */
export class SensorKeys {
  private readonly byDevice = new Map<string, { model: string; keys: ReadonlySet<string> }>();
  private readonly byModel = new Map<string, ReadonlySet<string>>();
  private readonly modelOf;

  constructor(
    db: Db,
    private readonly profiles: ReadonlyMap<string, DeviceProfile>,
  ) {
    this.modelOf = db.prepare('SELECT model FROM devices WHERE id = ?').pluck();
  }

  /** A reason naming the first sensor key the device's profile does not declare, or undefined when all are known. */
  unknownKey(deviceId: string, sensors: Readonly<Record<string, unknown>>): string | undefined {
    const known = this.of(deviceId);
    for (const key of Object.keys(sensors)) {
      if (!known.keys.has(key)) return `sensor ${JSON.stringify(key)} is not in the ${known.model} profile`;
    }
    return undefined;
  }

  private of(deviceId: string): { model: string; keys: ReadonlySet<string> } {
    let entry = this.byDevice.get(deviceId);
    if (!entry) {
      const model = (this.modelOf.get(deviceId) as string | undefined) ?? '(unknown)';
      let keys = this.byModel.get(model);
      if (!keys) this.byModel.set(model, (keys = new Set(this.profiles.get(model)?.sensors.map((s) => s.id) ?? [])));
      entry = { model, keys };
      // An unknown device (a will of a deleted one) is not cached: it may be provisioned later.
      if (model !== '(unknown)') this.byDevice.set(deviceId, entry);
    }
    return entry;
  }
}
