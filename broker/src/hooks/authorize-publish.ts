import type { Client, PublishPacket } from 'aedes';
import { ErrorCode, parseTopic } from '@touchpoint/protocol';
import type { Counters } from '../counters.js';
import type { Ingest } from '../fleet/ingest.js';
import type { Logger } from '../logger.js';
import type { Quarantine } from '../fleet/quarantine.js';
import { mayPublish } from './acl.js';
import { identityOf } from './identity.js';

/** Messages that are acknowledged but must not be routed go here; `$` topics never match `#` or `+` [MQTT-4.7.2-1]. */
export const DIVERTED_PREFIX = '$touchpoint/diverted/';

function divert(packet: PublishPacket): void {
  packet.topic = `${DIVERTED_PREFIX}${packet.topic}`;
  packet.retain = false;
}

export interface AuthorizePublishDeps {
  ingest: Ingest;
  quarantine: Quarantine;
  counters: Counters;
  log: Logger;
}

/**
 * ACL first: a publish outside the client's rights closes the connection, the
 * only refusal MQTT 3.1.1 has [MQTT-3.3.5-2]. Then validation and storage:
 * a malformed payload is acknowledged (so the device's outbox does not retry a
 * poison message forever), quarantined with its code, counted, and never routed.
 */
export function createAuthorizePublish(deps: AuthorizePublishDeps) {
  return function authorizePublish(client: Client | null, packet: PublishPacket, done: (error?: Error | null) => void): void {
    const identity = identityOf(client);
    // client is null for a will aedes publishes after a restart; it was authorised when it was stored.
    if (client && (!identity || !mayPublish(identity, packet.topic))) {
      deps.counters.inc('acl.publish.refused');
      deps.log.warn('publish refused', { clientId: client.id, topic: packet.topic, code: ErrorCode.NOT_AUTHORIZED });
      return done(new Error(`not authorised to publish on ${packet.topic}`));
    }
    if (identity?.kind === 'service' || identity?.kind === 'staff') return done(null);

    const topic = parseTopic(packet.topic);
    if (!topic) {
      deps.counters.inc(`rejected.${ErrorCode.TOPIC_INVALID}`);
      divert(packet);
      return done(null);
    }
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    deps.ingest.submit(topic, payload, (err, result) => {
      if (err || !result) {
        // A storage failure must not ack a message we did not keep: close, and the device retries.
        deps.counters.inc(`rejected.${ErrorCode.INTERNAL}`);
        deps.log.error('ingest failed', { topic: packet.topic, code: ErrorCode.INTERNAL, reason: err?.message });
        return done(err ?? new Error('ingest gave no result'));
      }
      if (!result.ok) {
        deps.counters.inc(`rejected.${result.code}`);
        deps.quarantine.add(client?.id ?? null, packet.topic, result.code, result.reason, payload);
        deps.log.warn('message rejected', { clientId: client?.id, topic: packet.topic, code: result.code, reason: result.reason });
        divert(packet);
        return done(null);
      }
      if (result.value === 'stale') {
        deps.counters.inc('presence.stale_will');
        divert(packet);
      } else if (result.value === 'duplicate') {
        deps.counters.inc('ingest.duplicate');
      } else {
        deps.counters.inc('ingest.stored');
      }
      done(null);
    });
  };
}
