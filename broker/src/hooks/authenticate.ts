import type { AuthenticateError, Client } from 'aedes';
import type { Counters } from '../counters.js';
import type { Devices } from '../fleet/devices.js';
import type { Logger } from '../logger.js';
import { SERVICE_CLIENT_PREFIX, setIdentity, type Identity } from './identity.js';
import { willAllowed, willOf } from './will.js';
import { clientIdOrigin } from './pre-connect.js';
import { tokenMatches } from '../fleet/credentials.js';

// aedes' AuthErrorCode is a const enum, which isolatedModules cannot import; these are the CONNACK return codes.
const IDENTIFIER_REJECTED = 2; // [MQTT-3.1.3-9]
const BAD_USERNAME_OR_PASSWORD = 4; // [MQTT-3.1.4-2] CONNACK 0x04
const NOT_AUTHORIZED = 5;

function refusal(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

export interface AuthenticateDeps {
  devices: Devices;
  serviceTokenHash: Buffer;
  counters: Counters;
  log: Logger;
}

/**
 * Devices: username = device id = client id, password = device token.
 * Fleet service: username `service` + the service token; client id `svc-*`.
 * Staff have no MQTT identity: the console reads through the audited API and its live channel.
 */
export function createAuthenticate(deps: AuthenticateDeps) {
  return function authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: (error: AuthenticateError | null, success: boolean | null) => void): void {
    const refuse = (code: string, message: string, returnCode: number) => {
      deps.counters.inc(`auth.refused.${code}`);
      deps.log.warn('connection refused', { clientId: client.id, code, reason: message });
      done(refusal(message, returnCode), false);
    };

    const accept = (identity: Identity) => {
      const will = willOf(client);
      if (will && !willAllowed(identity, will)) return refuse('WILL_REFUSED', `a last will is allowed only as the device's own offline presence, not on ${will.topic}`, NOT_AUTHORIZED);
      setIdentity(client, identity);
      done(null, true);
    };

    const idOrigin = clientIdOrigin(client);
    // [MQTT-3.1.3-8] an empty client id with clean session 0 is refused with code 2.
    if (idOrigin === 'empty-persistent') return refuse('CLIENT_ID_EMPTY', 'an empty client id needs clean session 1', IDENTIFIER_REJECTED);

    if (client.id.startsWith(SERVICE_CLIENT_PREFIX)) {
      if (username !== 'service' || !password || !tokenMatches(password, deps.serviceTokenHash)) return refuse('BAD_CREDENTIALS', 'wrong service credential', BAD_USERNAME_OR_PASSWORD);
      return accept({ kind: 'service' });
    }

    // [MQTT-3.1.3-8] the server may reject a client id; ours must equal the device id it authenticates as.
    if (!username || username !== client.id) return refuse('CLIENT_ID_MISMATCH', `client id ${client.id} does not match username ${username ?? '(none)'}`, IDENTIFIER_REJECTED);
    if (!password || !deps.devices.verifyToken(username, password)) return refuse('BAD_CREDENTIALS', `wrong credential for device ${username}`, BAD_USERNAME_OR_PASSWORD);
    accept({ kind: 'device', deviceId: username });
  };
}
