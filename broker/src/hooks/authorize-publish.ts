import type { Client, PublishPacket } from 'aedes';
import { ErrorCode, parseTopic } from '@touchpoint/protocol';
import type { Counters } from '../counters.js';
import type { Ingest } from '../fleet/ingest.js';
import type { Logger } from '../logger.js';
import type { Quarantine } from '../fleet/quarantine.js';
import type { Receipts } from '../fleet/receipts.js';
import { mayPublish } from './acl.js';
import { identityOf, type Identity } from './identity.js';
import { LogThrottle } from './log-throttle.js';
import { willAllowed } from './will.js';
import type { AuditLog } from '../fleet/audit.js';
import type { Devices } from '../fleet/devices.js';

/** Messages that are acknowledged but must not be routed go here; `$` topics never match `#` or `+` [MQTT-4.7.2-1]. */
export const DIVERTED_PREFIX = '$touchpoint/diverted/';

function divert(packet: PublishPacket): void {
  packet.topic = `${DIVERTED_PREFIX}${packet.topic}`;
  packet.retain = false;
}

/** The client id aedes stores with a will (aedes-persistence putWill). */
function storedWillClientId(packet: PublishPacket): string | undefined {
  const id = (packet as PublishPacket & { clientId?: unknown }).clientId;
  return typeof id === 'string' ? id : undefined;
}

function identityOfStoredWill(packet: PublishPacket, devices: Devices): Identity | undefined {
  const clientId = storedWillClientId(packet);
  return clientId && devices.get(clientId) ? { kind: 'device', deviceId: clientId } : undefined;
}

export interface AuthorizePublishDeps {
  devices: Devices;
  audit: AuditLog;
  ingest: Ingest;
  quarantine: Quarantine;
  receipts: Receipts;
  counters: Counters;
  log: Logger;
}

/**
 * ACL first: a device's publish outside its rights closes the connection
 * [MQTT-3.3.5-2]; an integration's is acknowledged and dropped. Then validation and storage:
 * a malformed payload is acknowledged (so the device's outbox does not retry a
 * poison message forever), quarantined with its code, counted, and never routed.
 */
export function createAuthorizePublish(deps: AuthorizePublishDeps) {
  // A flooding device is counted in full; its log lines are sampled per device and code.
  const rejectLog = new LogThrottle();
  return function authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    done: (error?: Error | null) => void,
  ): void {
    if (!client) {
      // A will that aedes publishes after a restart, with no client attached: the ACL is never skipped.
      // The identity is rebuilt from the will's client id; a refused will is diverted (not an error,
      // which would stop aedes' will sweep and leave the will stored forever).
      const identity = identityOfStoredWill(packet, deps.devices);
      if (!identity || !willAllowed(identity, packet)) {
        deps.counters.inc('acl.will.refused');
        deps.log.warn('stored will refused', {
          clientId: storedWillClientId(packet),
          topic: packet.topic,
          code: ErrorCode.NOT_AUTHORIZED,
        });
        divert(packet);
        return done(null);
      }
    }
    const identity = client ? identityOf(client) : identityOfStoredWill(packet, deps.devices);
    if (client && (!identity || !mayPublish(identity, packet.topic))) {
      deps.counters.inc('acl.publish.refused');
      deps.log.warn('publish refused', { clientId: client.id, topic: packet.topic, code: ErrorCode.NOT_AUTHORIZED });
      if (identity?.kind === 'integration') {
        // [MQTT-3.3.5-2] allows a positive acknowledgement instead of a close: a backend's misconfigured
        // topic is dropped (never routed), audited and counted, without a reconnect loop.
        deps.audit.record({
          actor: `integration:${identity.account.name}`,
          action: 'integration.publish',
          target: packet.topic,
          outcome: 'refused',
          detail: { clientId: client.id },
        });
        divert(packet);
        return done(null);
      }
      return done(new Error(`not authorised to publish on ${packet.topic}`));
    }
    // Integration accounts publish outside the device tree (or, the service account, as the fleet): nothing to ingest.
    if (identity?.kind === 'integration') return done(null);

    const topic = parseTopic(packet.topic);
    if (!topic) {
      deps.counters.inc(`rejected.${ErrorCode.TOPIC_INVALID}`);
      divert(packet);
      return done(null);
    }
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    deps.ingest.submit(topic, payload, (err, result, messageId) => {
      if (err || !result) {
        // A storage failure must not ack a message we did not keep: close, and the device retries.
        deps.counters.inc(`rejected.${ErrorCode.INTERNAL}`);
        deps.log.error('ingest failed', { topic: packet.topic, code: ErrorCode.INTERNAL, reason: err?.message });
        return done(err ?? new Error('ingest gave no result'));
      }
      // Settled: the device deletes the report from its outbox on the receipt, not on this PUBACK (issue 15).
      deps.receipts.settled(topic, payload, result, messageId);
      if (!result.ok) {
        deps.counters.inc(`rejected.${result.code}`);
        deps.quarantine.add(client?.id ?? null, packet.topic, result.code, result.reason, payload);
        const suppressed = rejectLog.admit(`${client?.id ?? ''}\u0000${result.code}`);
        if (suppressed !== undefined)
          deps.log.warn('message rejected', {
            clientId: client?.id,
            topic: packet.topic,
            code: result.code,
            reason: result.reason,
            ...(suppressed > 0 ? { suppressedSinceLast: suppressed } : {}),
          });
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
