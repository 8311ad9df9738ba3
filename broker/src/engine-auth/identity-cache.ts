import type { Devices } from '../fleet/devices.js';
import type { Integrations } from '../fleet/integrations.js';
import type { Identity } from '../hooks/identity.js';
import { TtlCache } from './ttl-cache.js';

/**
 * The identity behind a user name for the checks that come after login (vhost, resource, topic):
 * the engine sends only the user name there, and a connection makes several of them. Kept for
 * `ttlMs` (and dropped at once when an integration account changes in this process), so a
 * reconnect storm reads each device once per TTL; the same Identity object also keeps the ACL's
 * per-identity rights cache warm.
 */
export class IdentityCache {
  private readonly entries: TtlCache<string, { identity: Identity | undefined }>;
  private readonly models = new Map<string, string>();

  constructor(
    private readonly devices: Devices,
    private readonly integrations: Integrations,
    ttlMs: number,
    private readonly maxEntries = 100_000,
  ) {
    this.entries = new TtlCache(ttlMs, maxEntries);
    integrations.onChange((name) => this.entries.delete(name));
  }

  get(username: string, now = Date.now()): Identity | undefined {
    const hit = this.entries.get(username, now);
    if (hit) return hit.identity;
    const identity = this.lookup(username);
    this.entries.set(username, { identity }, now);
    return identity;
  }

  /** A device's model never changes: remembered without a TTL. */
  modelOf = (deviceId: string): string | undefined => {
    let model = this.models.get(deviceId);
    if (model === undefined) {
      model = this.devices.get(deviceId)?.model;
      if (model !== undefined && this.models.size < this.maxEntries) this.models.set(deviceId, model);
    }
    return model;
  };

  private lookup(username: string): Identity | undefined {
    if (this.devices.get(username)) return { kind: 'device', deviceId: username };
    const account = this.integrations.get(username);
    return account && account.revokedAt === null ? { kind: 'integration', account } : undefined;
  }
}
