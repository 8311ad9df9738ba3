import type { Client } from 'aedes';
import type { StaffRole } from '../fleet/staff.js';

/** Who is on the other end of an MQTT connection, set once by authenticate. */
export type Identity =
  | { kind: 'device'; deviceId: string }
  | { kind: 'staff'; staffId: string; role: StaffRole }
  | { kind: 'service' };

const identities = new WeakMap<Client, Identity>();

export function setIdentity(client: Client, identity: Identity): void {
  identities.set(client, identity);
}

export function identityOf(client: Client | null): Identity | undefined {
  return client ? identities.get(client) : undefined;
}

/** Client-id prefixes reserved for non-device connections, so no one can take over a device's session. */
export const STAFF_CLIENT_PREFIX = 'staff-';
export const SERVICE_CLIENT_PREFIX = 'svc-';
