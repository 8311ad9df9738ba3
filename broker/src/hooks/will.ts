import type { Client, ConnectPacket } from 'aedes';
import { decode, deviceTopic, presenceMessage } from '@touchpoint/protocol';
import { mayPublish } from './acl.js';
import type { Identity } from './identity.js';

type Will = NonNullable<ConnectPacket['will']>;

const connectWills = new WeakMap<Client, Will>();

/** preConnect sees the CONNECT packet before authenticate; the will is kept for authenticate to judge. */
export function rememberWill(client: Client, packet: ConnectPacket): void {
  if (packet.will) connectWills.set(client, packet.will);
}

/** The CONNECT's will, once: authenticate judges it and aedes keeps it on the client, so no second reference stays per connection. */
export function takeWill(client: Client): Will | undefined {
  const will = connectWills.get(client);
  connectWills.delete(client);
  return will;
}

/**
 * A will is published by the broker later, possibly after a restart with no
 * client attached, so it is judged once, at CONNECT: a device may leave only an
 * offline presence for itself (issue 12 #3); an integration account, only inside its publish rights.
 */
export function willAllowed(identity: Identity, will: { topic: string; payload: Buffer | string }): boolean {
  // An integration's will is an ordinary publish in its own namespace, judged by its publish rights.
  if (identity.kind === 'integration') return mayPublish(identity, will.topic);
  if (will.topic !== deviceTopic(identity.deviceId, 'presence')) return false;
  const decoded = decode(presenceMessage, will.payload);
  return decoded.ok && decoded.value.deviceId === identity.deviceId && decoded.value.state === 'offline';
}
