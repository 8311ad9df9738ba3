import type { Client, ConnectPacket } from 'aedes';
import { rememberWill } from './will.js';

/** How a CONNECT's client id came to be: sent by the client, assigned by us, or refused. */
export type ClientIdOrigin = 'sent' | 'assigned' | 'empty-persistent';

const idOrigins = new WeakMap<Client, ClientIdOrigin>();

export function clientIdOrigin(client: Client): ClientIdOrigin {
  return idOrigins.get(client) ?? 'sent';
}

export interface PreConnectLimits {
  /** Longest keep alive honoured, in seconds; also the idle timeout for a client that asks for none. */
  keepaliveLimitS: number;
}

/**
 * Runs before aedes reads the CONNECT (and before authenticate), with the packet:
 * - Keep alive 0 is legal and means "none" [MQTT-3.1.2-10]; CONNACK may only carry codes 0–5
 *   [MQTT-3.2.2-4] [MQTT-3.2.2-5], so instead of refusing, a server idle timeout applies: a connection
 *   silent for 1.5 × keepaliveLimitS is closed, as for a client asking for more than the limit.
 * - An empty client id with clean session 1 gets an id assigned [MQTT-3.1.3-6]; with clean session 0
 *   it is refused with code 2 in authenticate [MQTT-3.1.3-8] (authenticate answers with a CONNACK, this hook cannot).
 * The protocol level is left to aedes, which answers any level but 3 and 4 with code 1 [MQTT-3.1.2-2].
 */
export function createPreConnect(limits: PreConnectLimits) {
  return function preConnect(
    client: Client,
    packet: ConnectPacket,
    done: (error: Error | null, success: boolean) => void,
  ): void {
    rememberWill(client, packet);
    if (!packet.keepalive || packet.keepalive > limits.keepaliveLimitS) packet.keepalive = limits.keepaliveLimitS;
    if (!packet.clientId) idOrigins.set(client, packet.clean ? 'assigned' : 'empty-persistent');
    done(null, true);
  };
}
