import { parseTopic, type DeviceTopicKind } from '@touchpoint/protocol';
import { SERVICE_ACCOUNT } from '../fleet/integrations.js';
import { mayPublish } from '../hooks/acl.js';
import type { Identity } from '../hooks/identity.js';
import { API_QUEUE_PREFIX, LIVE_EXCHANGE } from '../live-channel/topology.js';

/**
 * What an API process may do on the engine (issue 15, docs/scale-out.md "API processes"). It logs in
 * over AMQP with the fleet's service token under its own user name, so engine-auth can tell it from a
 * fleet worker (AMQP sends no client id, only the user name) and grant each exactly what it needs.
 * The name holds a `/`, which no integration account name may, so it can never be an account's.
 */
export const API_USERNAME = `${SERVICE_ACCOUNT}/api`;

/**
 * Its own live queue (`tp.api.*`: declare, bind, consume), the live channel's exchange (declare, publish,
 * bind), and the MQTT plugin's exchange to publish to only: an API process reads no device traffic there.
 */
export function apiMayUseResource(
  resource: string,
  name: string,
  permission: 'configure' | 'write' | 'read',
  exchange: string,
): boolean {
  if (resource === 'queue') return name.startsWith(API_QUEUE_PREFIX);
  if (resource !== 'exchange') return false;
  if (name === LIVE_EXCHANGE) return true;
  return name === exchange && permission === 'write';
}

/** The down-topics a staff action or a call sends: never receipts, which only the workers that stored a report send. */
const API_DOWN: readonly DeviceTopicKind[] = ['command', 'caseStatus', 'keys'];

/**
 * Publish (routing key as an MQTT topic): signed commands, case status, key lists and call signalling
 * down (`rtc/{session}/down`), each also checked by the same ACL as every other publish.
 */
export function apiMayPublish(identity: Identity, topic: string): boolean {
  const parsed = parseTopic(topic);
  if (!parsed) return false;
  const allowed = parsed.kind === 'signal' ? parsed.direction === 'down' : API_DOWN.includes(parsed.kind);
  return allowed && mayPublish(identity, topic);
}
