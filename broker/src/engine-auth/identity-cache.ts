import { DEVICE_ROOT } from '@touchpoint/protocol';
import type { Devices } from '../fleet/devices.js';
import type { Integrations } from '../fleet/integrations.js';
import type { Identity } from '../hooks/identity.js';
import { TtlCache } from './ttl-cache.js';

const DEVICE_ROOT_LEVELS = DEVICE_ROOT.split('/').length;

/**
 * The identity behind a user name for the checks that come after login (vhost, resource, topic):
 * the engine sends only the user name there, and a connection makes several of them. Kept for
 * `ttlMs` (and dropped at once when an integration account changes in this process), so a
 * reconnect storm reads each device once per TTL; the same Identity object also keeps the ACL's
 * per-identity rights cache warm. Device models are remembered by the registry (`Devices.modelOf`).
 */
export class IdentityCache {
  private readonly entries: TtlCache<string, { identity: Identity | undefined }>;

  constructor(
    private readonly devices: Devices,
    private readonly integrations: Integrations,
    ttlMs: number,
    maxEntries = 100_000,
  ) {
    this.entries = new TtlCache(ttlMs, maxEntries);
    integrations.onChange((name) => this.entries.delete(name));
  }

  async get(username: string, now = Date.now()): Promise<Identity | undefined> {
    const hit = this.entries.get(username, now);
    if (hit) return hit.identity;
    const identity = await this.lookup(username);
    this.entries.set(username, { identity }, now);
    return identity;
  }

  /** Whether an id is a device's: the registry remembers every device it has read (devices are never deleted). */
  async isDevice(id: string): Promise<boolean> {
    return (await this.devices.modelOf(id)) !== undefined;
  }

  /**
   * The ACL's model lookup for one topic filter (maySubscribeUnfiltered asks it synchronously): the
   * device the filter names, if any, is read first (its model never changes, so it is remembered).
   */
  async modelsOf(filter: string): Promise<(deviceId: string) => string | undefined> {
    const deviceId = filter.split('/')[DEVICE_ROOT_LEVELS];
    const model =
      deviceId === undefined || deviceId === '+' || deviceId === '#' ? undefined : await this.devices.modelOf(deviceId);
    return (id) => (id === deviceId ? model : undefined);
  }

  private async lookup(username: string): Promise<Identity | undefined> {
    if (await this.isDevice(username)) return { kind: 'device', deviceId: username };
    const account = await this.integrations.get(username);
    return account && account.revokedAt === null ? { kind: 'integration', account } : undefined;
  }
}
