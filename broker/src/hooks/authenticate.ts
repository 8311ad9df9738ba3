import type { AuthenticateError, Client } from 'aedes';
import type { Counters } from '../counters.js';
import type { Devices } from '../fleet/devices.js';
import type { Staff } from '../fleet/staff.js';
import type { Logger } from '../logger.js';
import { SERVICE_CLIENT_PREFIX, STAFF_CLIENT_PREFIX, setIdentity } from './identity.js';
import { tokenMatches } from '../fleet/credentials.js';

// aedes' AuthErrorCode is a const enum, which isolatedModules cannot import; these are the CONNACK return codes.
const IDENTIFIER_REJECTED = 2; // [MQTT-3.1.3-9]
const BAD_USERNAME_OR_PASSWORD = 4; // [MQTT-3.1.4-2] CONNACK 0x04
const NOT_AUTHORIZED = 5;

export const SESSION_COOKIE = 'tp_session';

function refusal(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export interface AuthenticateDeps {
  devices: Devices;
  staff: Staff;
  serviceTokenHash: Buffer;
  counters: Counters;
  log: Logger;
}

/**
 * Devices: username = device id = client id, password = device token.
 * Staff: a console session cookie on the WebSocket upgrade, or `staff:<name>` + password; client id `staff-*`.
 * Fleet service: username `service` + the service token; client id `svc-*`.
 */
export function createAuthenticate(deps: AuthenticateDeps) {
  return function authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: (error: AuthenticateError | null, success: boolean | null) => void): void {
    const refuse = (code: string, message: string, returnCode: number) => {
      deps.counters.inc(`auth.refused.${code}`);
      deps.log.warn('connection refused', { clientId: client.id, code, reason: message });
      done(refusal(message, returnCode), false);
    };

    const sessionToken = cookie(client.req?.headers.cookie, SESSION_COOKIE);
    if (client.id.startsWith(STAFF_CLIENT_PREFIX)) {
      if (sessionToken) {
        const session = deps.staff.session(sessionToken);
        if (!session) return refuse('BAD_CREDENTIALS', 'staff session expired or unknown', BAD_USERNAME_OR_PASSWORD);
        setIdentity(client, { kind: 'staff', staffId: session.staff.id, role: session.staff.role });
        return done(null, true);
      }
      if (!username?.startsWith('staff:') || !password) return refuse('BAD_CREDENTIALS', 'staff must log in', BAD_USERNAME_OR_PASSWORD);
      deps.staff.verify(username.slice('staff:'.length), password.toString('utf8')).then(
        (member) => {
          if (!member) return refuse('BAD_CREDENTIALS', 'wrong staff name or password', BAD_USERNAME_OR_PASSWORD);
          setIdentity(client, { kind: 'staff', staffId: member.id, role: member.role });
          done(null, true);
        },
        (err: unknown) => refuse('INTERNAL', (err as Error).message, NOT_AUTHORIZED),
      );
      return;
    }

    if (client.id.startsWith(SERVICE_CLIENT_PREFIX)) {
      if (username !== 'service' || !password || !tokenMatches(password, deps.serviceTokenHash)) return refuse('BAD_CREDENTIALS', 'wrong service credential', BAD_USERNAME_OR_PASSWORD);
      setIdentity(client, { kind: 'service' });
      return done(null, true);
    }

    // [MQTT-3.1.3-8] the server may reject a client id; ours must equal the device id it authenticates as.
    if (!username || username !== client.id) return refuse('CLIENT_ID_MISMATCH', `client id ${client.id} does not match username ${username ?? '(none)'}`, IDENTIFIER_REJECTED);
    if (!password || !deps.devices.verifyToken(username, password)) return refuse('BAD_CREDENTIALS', `wrong credential for device ${username}`, BAD_USERNAME_OR_PASSWORD);
    setIdentity(client, { kind: 'device', deviceId: username });
    done(null, true);
  };
}
