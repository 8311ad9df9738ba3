import type { AedesPublishPacket, Client } from 'aedes';
import type { Counters } from '../counters.js';
import type { Devices } from '../fleet/devices.js';
import type { Logger } from '../logger.js';
import { mayReceive } from './acl.js';
import { identityOf } from './identity.js';

/**
 * Runs for every message delivered to every client (retained ones included):
 * an integration never receives a denied topic or a device of another model,
 * even under a wildcard it was granted. Synchronous in aedes, so it is guarded
 * here: a failure withholds the message, counted and logged.
 */
export function createAuthorizeForward(deps: { devices: Devices; counters: Counters; log: Logger }) {
  // Synchronous in aedes: the registry's remembered models answer (the embedded broker loads every
  // device's model at start and remembers each one it provisions, so an unknown id is no device).
  const modelOf = (deviceId: string) => deps.devices.knownModel(deviceId);
  return function authorizeForward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
    try {
      const identity = identityOf(client);
      if (!identity || identity.kind === 'device') return packet;
      if (mayReceive(identity, packet.topic, modelOf)) return packet;
      deps.counters.inc('acl.forward.withheld');
      return null;
    } catch (err) {
      deps.counters.inc('hook.error.authorizeForward');
      deps.log.error('hook failed; refused', {
        hook: 'authorizeForward',
        code: 'INTERNAL',
        reason: err instanceof Error ? err.message : String(err),
      });
      return null;
    }
  };
}
