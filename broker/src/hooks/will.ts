import type { Client, ConnectPacket } from 'aedes';
import { decode, deviceTopic, presenceMessage } from '@touchpoint/protocol';
import type { Identity } from './identity.js';

type Will = NonNullable<ConnectPacket['will']>;

const connectWills = new WeakMap<Client, Will>();

/** preConnect sees the CONNECT packet before authenticate; the will is kept for authenticate to judge. */
export function rememberWill(client: Client, packet: ConnectPacket): void {
  if (packet.will) connectWills.set(client, packet.will);
}

export function willOf(client: Client): Will | undefined {
  return connectWills.get(client);
}

/**
 * A will is published by the broker later, possibly after a restart with no
 * client attached, so it is judged once, at CONNECT: a device may leave only an
 * offline presence for itself; no other identity may leave one (issue 12 #3).
 */
export function willAllowed(identity: Identity, will: { topic: string; payload: Buffer | string }): boolean {
  if (identity.kind !== 'device' || will.topic !== deviceTopic(identity.deviceId, 'presence')) return false;
  const decoded = decode(presenceMessage, will.payload);
  return decoded.ok && decoded.value.deviceId === identity.deviceId && decoded.value.state === 'offline';
}
