import type { Client, Subscription } from 'aedes';
import type { Counters } from '../counters.js';
import type { AuditLog } from '../fleet/audit.js';
import type { Logger } from '../logger.js';
import { maySubscribe } from './acl.js';
import { identityOf } from './identity.js';

/**
 * A refused filter is negated (SUBACK 0x80, [MQTT-3.9.3-1]) rather than
 * disconnecting, so a device learns which filter was wrong. Because devices may
 * only subscribe inside their own prefix, no retained message on another
 * device's topic can reach them.
 */
export function createAuthorizeSubscribe(deps: { counters: Counters; log: Logger; audit: AuditLog }) {
  return async function authorizeSubscribe(
    client: Client,
    subscription: Subscription,
    done: (error: Error | null, subscription?: Subscription | null) => void,
  ): Promise<void> {
    const identity = identityOf(client);
    if (identity && maySubscribe(identity, subscription.topic)) return done(null, subscription);
    deps.counters.inc('acl.subscribe.refused');
    deps.log.warn('subscription refused', { clientId: client.id, topic: subscription.topic, code: 'NOT_AUTHORIZED' });
    if (identity?.kind === 'integration')
      await deps.audit.record({
        actor: `integration:${identity.account.name}`,
        action: 'integration.subscribe',
        target: subscription.topic,
        outcome: 'refused',
        detail: { clientId: client.id },
      });
    done(null, null);
  };
}
