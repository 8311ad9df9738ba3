import { DEVICE_DOWN, filterCovers, isValidTopicFilter, parseTopic } from '@touchpoint/protocol';
import { INGEST_FILTERS, WORKER_QUEUE_PREFIX } from '../fleet-worker/topology.js';
import { mayPublish } from '../hooks/acl.js';
import type { Identity } from '../hooks/identity.js';
import { LIVE_EXCHANGE } from '../live-channel/topology.js';

/**
 * What a fleet worker may do on the engine (issue 15, docs/scale-out.md "Fleet workers"). A worker
 * is an AMQP 0-9-1 connection of the built-in service account: AMQP has no client id, so engine-auth
 * admits no other identity that way (see decide.ts). Narrower than the service account over MQTT:
 * a worker holds the fleet's token but only needs its queues, device up-traffic and the down-topics.
 */

/**
 * Its own queues (declare, bind, consume), the MQTT plugin's exchange to read from and publish to (never
 * configure), and the live channel's exchange to declare and publish to (never read: workers serve no console).
 */
export function workerMayUseResource(
  resource: string,
  name: string,
  permission: 'configure' | 'write' | 'read',
  exchange: string,
): boolean {
  if (resource === 'queue') return name.startsWith(WORKER_QUEUE_PREFIX);
  if (resource !== 'exchange') return false;
  if (name === LIVE_EXCHANGE) return permission !== 'read';
  return name === exchange && permission !== 'configure';
}

/** Publish (routing key as an MQTT topic): only a device's down-topics (receipts, commands, case status, keys), by the ACL. */
export function workerMayPublish(identity: Identity, topic: string): boolean {
  const parsed = parseTopic(topic);
  return (
    parsed !== undefined && parsed.kind !== 'signal' && DEVICE_DOWN.includes(parsed.kind) && mayPublish(identity, topic)
  );
}

/** Bind a queue (binding key as an MQTT filter): only to device up-traffic, the topics the embedded fleet ingests. */
export function workerMayBind(filter: string): boolean {
  return isValidTopicFilter(filter) && INGEST_FILTERS.some((granted) => filterCovers(granted, filter));
}
