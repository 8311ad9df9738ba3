import type { AuthenticateError, Client } from 'aedes';
import type { Counters } from '../counters.js';
import type { AuditLog } from '../fleet/audit.js';
import type { Devices } from '../fleet/devices.js';
import type { Integrations } from '../fleet/integrations.js';
import type { Logger } from '../logger.js';
import { isLoopback, peerOf } from '../transport/peer.js';
import {
  IDENTIFIER_REJECTED,
  NOT_AUTHORIZED,
  decideConnect,
  recordConnectAccepted,
  recordConnectRefusal,
  type ConnectRefusal,
} from './connect-decision.js';
import { setIdentity } from './identity.js';
import { clientIdOrigin } from './pre-connect.js';
import { takeWill, willAllowed } from './will.js';

function refusal(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

export interface AuthenticateDeps {
  devices: Devices;
  integrations: Integrations;
  audit: AuditLog;
  counters: Counters;
  log: Logger;
}

/**
 * aedes' authenticate hook: who may connect is decided by decideConnect, the same code a clustered
 * engine's auth hook asks (touchpoint engine-auth, issue 15); aedes adds what only it can see:
 * whether it assigned the client id, and the last will, judged here at CONNECT.
 */
export function createAuthenticate(deps: AuthenticateDeps) {
  return async function authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): Promise<void> {
    const refuse = async (r: Omit<ConnectRefusal, 'ok'>) => {
      await recordConnectRefusal(deps, client.id, { ok: false, ...r });
      done(refusal(r.message, r.returnCode), false);
    };
    const origin = clientIdOrigin(client);
    // [MQTT-3.1.3-8] an empty client id with clean session 0 is refused with code 2.
    if (origin === 'empty-persistent')
      return refuse({
        code: 'CLIENT_ID_EMPTY',
        message: 'an empty client id needs clean session 1',
        returnCode: IDENTIFIER_REJECTED,
      });
    const peer = peerOf(client.conn);
    const decision = await decideConnect(deps, {
      clientId: client.id,
      clientIdAssigned: origin === 'assigned',
      username,
      password,
      loopback: isLoopback(peer),
    });
    if (!decision.ok) return refuse(decision);
    const { identity } = decision;
    const will = takeWill(client);
    if (will && !willAllowed(identity, will))
      return refuse({
        code: 'WILL_REFUSED',
        message: `a last will on ${will.topic} is outside this identity's rights (a device may leave only its own offline presence)`,
        returnCode: NOT_AUTHORIZED,
        account: identity.kind === 'integration' ? identity.account : undefined,
      });
    await recordConnectAccepted(deps, client.id, identity, peer);
    setIdentity(client, identity);
    done(null, true);
  };
}
