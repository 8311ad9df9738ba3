import type { AuthenticateError, Client } from 'aedes';
import type { Counters } from '../counters.js';
import type { AuditLog } from '../fleet/audit.js';
import type { Devices } from '../fleet/devices.js';
import { clientIdPrefixOf, type IntegrationAccount, type Integrations } from '../fleet/integrations.js';
import type { Logger } from '../logger.js';
import { isLoopback, peerOf } from '../transport/peer.js';
import { setIdentity, type Identity } from './identity.js';
import { clientIdOrigin } from './pre-connect.js';
import { willAllowed, willOf } from './will.js';

// aedes' AuthErrorCode is a const enum, which isolatedModules cannot import; these are the CONNACK return codes.
const IDENTIFIER_REJECTED = 2; // [MQTT-3.1.3-9]
const BAD_USERNAME_OR_PASSWORD = 4; // [MQTT-3.1.4-2] CONNACK 0x04
const NOT_AUTHORIZED = 5;

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
 * Devices: user name = device id = client id, password = device token.
 * Integration accounts (and the built-in `service` account): user name = account name, password =
 * its token, client id starting with the account's prefix (or assigned by us [MQTT-3.1.3-6]); an
 * account may take clients with no user name from loopback (conformance suites, test rigs).
 * Staff have no MQTT identity: the console reads through the audited API and its live channel.
 */
export function createAuthenticate(deps: AuthenticateDeps) {
  return function authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const refuse = (code: string, message: string, returnCode: number, account?: IntegrationAccount) => {
      deps.counters.inc(`auth.refused.${code}`);
      deps.log.warn('connection refused', { clientId: client.id, code, reason: message });
      if (account)
        deps.audit.record({
          actor: `integration:${account.name}`,
          action: 'integration.connect',
          target: client.id,
          outcome: 'refused',
          detail: { code, reason: message },
        });
      done(refusal(message, returnCode), false);
    };
    const accept = (identity: Identity) => {
      const will = willOf(client);
      if (will && !willAllowed(identity, will)) {
        return refuse(
          'WILL_REFUSED',
          `a last will on ${will.topic} is outside this identity's rights (a device may leave only its own offline presence)`,
          NOT_AUTHORIZED,
          identity.kind === 'integration' ? identity.account : undefined,
        );
      }
      if (identity.kind === 'integration')
        deps.audit.record({
          actor: `integration:${identity.account.name}`,
          action: 'integration.connect',
          target: client.id,
          outcome: 'ok',
          detail: { peer: peerOf(client.conn) },
        });
      setIdentity(client, identity);
      done(null, true);
    };
    const acceptIntegration = (account: IntegrationAccount) => {
      if (clientIdOrigin(client) !== 'assigned') {
        const prefix = clientIdPrefixOf(account);
        // [MQTT-3.1.3-8] the server may reject a client id: an account's ids carry its prefix and never take over a device's session.
        if (!client.id.startsWith(prefix))
          return refuse(
            'CLIENT_ID_PREFIX',
            `client ids of ${account.name} must start with ${JSON.stringify(prefix)}`,
            IDENTIFIER_REJECTED,
            account,
          );
        if (deps.devices.get(client.id))
          return refuse(
            'CLIENT_ID_IS_DEVICE',
            `client id ${client.id} belongs to a device`,
            IDENTIFIER_REJECTED,
            account,
          );
      }
      accept({ kind: 'integration', account });
    };

    // [MQTT-3.1.3-8] an empty client id with clean session 0 is refused with code 2.
    if (clientIdOrigin(client) === 'empty-persistent')
      return refuse('CLIENT_ID_EMPTY', 'an empty client id needs clean session 1', IDENTIFIER_REJECTED);

    if (!username) {
      const account = isLoopback(peerOf(client.conn)) ? deps.integrations.anonymousLoopback() : undefined;
      if (!account)
        return refuse(
          'BAD_CREDENTIALS',
          'log in with a device id and token, or an integration account',
          BAD_USERNAME_OR_PASSWORD,
        );
      return acceptIntegration(account);
    }
    if (deps.devices.get(username)) {
      // A device's client id must equal the device id it authenticates as.
      if (username !== client.id)
        return refuse(
          'CLIENT_ID_MISMATCH',
          `client id ${client.id} does not match username ${username}`,
          IDENTIFIER_REJECTED,
        );
      if (!password || !deps.devices.verifyToken(username, password))
        return refuse('BAD_CREDENTIALS', `wrong credential for device ${username}`, BAD_USERNAME_OR_PASSWORD);
      return accept({ kind: 'device', deviceId: username });
    }
    const account = password ? deps.integrations.verify(username, password) : undefined;
    if (!account) {
      const known = deps.integrations.get(username);
      return refuse('BAD_CREDENTIALS', `wrong credential for ${username}`, BAD_USERNAME_OR_PASSWORD, known);
    }
    acceptIntegration(account);
  };
}
