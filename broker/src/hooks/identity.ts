import type { Client } from 'aedes';

/** Who is on the other end of an MQTT connection, set once by authenticate. */
export type Identity =
  | { kind: 'device'; deviceId: string }
  | { kind: 'service' };

const identities = new WeakMap<Client, Identity>();

export function setIdentity(client: Client, identity: Identity): void {
  identities.set(client, identity);
}

export function identityOf(client: Client | null): Identity | undefined {
  return client ? identities.get(client) : undefined;
}

/** Client-id prefix reserved for the fleet service, so no device can take over its session. */
export const SERVICE_CLIENT_PREFIX = 'svc-';
