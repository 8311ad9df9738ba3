import type { Client } from 'aedes';
import type { IntegrationAccount } from '../fleet/integrations.js';

/**
 * Who is on the other end of an MQTT connection, set once by authenticate:
 * a device, or an integration account (a maker's backend, or the built-in
 * fleet service account). Staff have no MQTT identity.
 */
export type Identity = { kind: 'device'; deviceId: string } | { kind: 'integration'; account: IntegrationAccount };

const identities = new WeakMap<Client, Identity>();

export function setIdentity(client: Client, identity: Identity): void {
  identities.set(client, identity);
}

export function identityOf(client: Client | null): Identity | undefined {
  return client ? identities.get(client) : undefined;
}

/** The actor name in audit entries. */
export function actorOf(identity: Identity): string {
  return identity.kind === 'device' ? `device:${identity.deviceId}` : `integration:${identity.account.name}`;
}
