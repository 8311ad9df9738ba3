import type { Client, PublishPacket } from 'aedes';
import { ErrorCode } from '@touchpoint/protocol';
import type { Counters } from '../counters.js';
import type { Ingest } from '../fleet/ingest.js';
import type { Logger } from '../logger.js';
import type { Quarantine } from '../fleet/quarantine.js';
import type { Receipts } from '../fleet/receipts.js';
import { mayPublish } from './acl.js';
import { identityOf, type Identity } from './identity.js';
import { createReportIntake } from './report-intake.js';
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

async function identityOfStoredWill(packet: PublishPacket, devices: Devices): Promise<Identity | undefined> {
  const clientId = storedWillClientId(packet);
  return clientId && (await devices.modelOf(clientId)) !== undefined
    ? { kind: 'device', deviceId: clientId }
    : undefined;
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
  // Validation, storage, receipts and refusal counting: the same intake as the fleet worker's (issue 15).
  const intake = createReportIntake(deps);
  type Done = (error?: Error | null) => void;
  const ingest = (clientId: string | undefined, packet: PublishPacket, done: Done) => {
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    intake(packet.topic, payload, clientId, (err, settled) => {
      // Not stored: no PUBACK for a message we did not keep; the connection closes and the device retries.
      if (err || !settled) return done(err ?? new Error('ingest gave no result'));
      // Acknowledged (so a device's outbox does not retry a poison message forever) but never routed.
      if (settled.disposition === 'rejected' || settled.disposition === 'stale') divert(packet);
      done(null);
    });
  };
  // A will that aedes publishes after a restart, with no client attached: the ACL is never skipped.
  // The identity is rebuilt from the will's client id; a refused will is diverted (not an error,
  // which would stop aedes' will sweep and leave the will stored forever).
  const storedWill = async (packet: PublishPacket, done: Done): Promise<void> => {
    const identity = await identityOfStoredWill(packet, deps.devices);
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
    ingest(undefined, packet, done);
  };
  const refuse = async (client: Client, identity: Identity | undefined, packet: PublishPacket, done: Done) => {
    deps.counters.inc('acl.publish.refused');
    deps.log.warn('publish refused', { clientId: client.id, topic: packet.topic, code: ErrorCode.NOT_AUTHORIZED });
    if (identity?.kind === 'integration') {
      // [MQTT-3.3.5-2] allows a positive acknowledgement instead of a close: a backend's misconfigured
      // topic is dropped (never routed), audited and counted, without a reconnect loop.
      await deps.audit.record({
        actor: `integration:${identity.account.name}`,
        action: 'integration.publish',
        target: packet.topic,
        outcome: 'refused',
        detail: { clientId: client.id },
      });
      divert(packet);
      return done(null);
    }
    done(new Error(`not authorised to publish on ${packet.topic}`));
  };
  // Every PUBLISH passes here: an allowed one stays synchronous up to the intake (no store read, no promise).
  return function authorizePublish(client: Client | null, packet: PublishPacket, done: Done): void | Promise<void> {
    if (!client) return storedWill(packet, done);
    const identity = identityOf(client);
    if (!identity || !mayPublish(identity, packet.topic)) return refuse(client, identity, packet, done);
    // Integration accounts publish outside the device tree (or, the service account, as the fleet): nothing to ingest.
    if (identity.kind === 'integration') return done(null);
    ingest(client.id, packet, done);
  };
}
