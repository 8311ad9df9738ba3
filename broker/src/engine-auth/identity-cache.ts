import type { Devices } from '../fleet/devices.js';
import type { Integrations } from '../fleet/integrations.js';
import type { Identity } from '../hooks/identity.js';

/**
 * The identity behind a user name for the checks that come after login (vhost, resource, topic):
 * the engine sends only the user name there, and a connection makes several of them. Kept for
 * `ttlMs` (and dropped at once when an integration account changes in this process), so a
 * reconnect storm reads each device once per TTL; the same Identity object also keeps the ACL's
 * per-identity rights cache warm.
 */
export class IdentityCache {
  private readonly entries = new Map<string, { identity: Identity | undefined; until: number }>();
  private readonly models = new Map<string, string>();

  constructor(
    private readonly devices: Devices,
    private readonly integrations: Integrations,
    private readonly ttlMs: number,
    private readonly maxEntries = 100_000,
  ) {
    integrations.onChange((name) => this.entries.delete(name));
  }

  get(username: string, now = Date.now()): Identity | undefined {
    const hit = this.entries.get(username);
    if (hit && now < hit.until) return hit.identity;
    const identity = this.lookup(username);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(username, { identity, until: now + this.ttlMs });
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
