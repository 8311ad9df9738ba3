import type { Counters } from '../counters.js';
import type { AuditLog } from '../fleet/audit.js';
import type { Devices } from '../fleet/devices.js';
import { clientIdPrefixOf, type IntegrationAccount, type Integrations } from '../fleet/integrations.js';
import type { Logger } from '../logger.js';
import type { Identity } from './identity.js';

// CONNACK return codes (MQTT 3.1.1 §3.2.2.3).
export const IDENTIFIER_REJECTED = 2; // [MQTT-3.1.3-9]
export const BAD_USERNAME_OR_PASSWORD = 4; // [MQTT-3.1.4-2] CONNACK 0x04
export const NOT_AUTHORIZED = 5;

/** One MQTT CONNECT as an engine sees it: the embedded aedes broker, or a clustered engine's auth hook. */
export interface ConnectAttempt {
  clientId: string;
  /** The client sent no id and the engine assigned one [MQTT-3.1.3-6] (aedes knows; RabbitMQ does not say). */
  clientIdAssigned: boolean;
  username: string | undefined;
  password: Buffer | undefined;
  /** The peer is on loopback (an account with anonymousLoopback may take clients with no user name). */
  loopback: boolean;
}

export interface ConnectRefusal {
  ok: false;
  code: string;
  message: string;
  returnCode: number;
  /** The integration account the attempt named, if any: its refusals are audited. */
  account?: IntegrationAccount | undefined;
}

export type ConnectDecision = { ok: true; identity: Identity } | ConnectRefusal;

function refused(code: string, message: string, returnCode: number, account?: IntegrationAccount): ConnectRefusal {
  return { ok: false, code, message, returnCode, account };
}

/**
 * Who may connect, for every engine (one implementation, issue 15):
 * - devices: user name = device id = client id, password = device token;
 * - integration accounts (and the built-in `service` account): user name = account name, password =
 *   its token, client id starting with the account's prefix (or assigned by the engine
 *   [MQTT-3.1.3-6]) and never a device's id; an account may take clients with no user name from
 *   loopback (conformance suites, test rigs).
 * Staff have no MQTT identity: the console reads through the audited API and its live channel.
 */
export async function decideConnect(
  deps: { devices: Devices; integrations: Integrations },
  attempt: ConnectAttempt,
): Promise<ConnectDecision> {
  const { clientId, username, password } = attempt;
  const integration = async (account: IntegrationAccount): Promise<ConnectDecision> => {
    if (!attempt.clientIdAssigned) {
      const prefix = clientIdPrefixOf(account);
      // [MQTT-3.1.3-8] the server may reject a client id: an account's ids carry its prefix and never take over a device's session.
      if (!clientId.startsWith(prefix))
        return refused(
          'CLIENT_ID_PREFIX',
          `client ids of ${account.name} must start with ${JSON.stringify(prefix)}`,
          IDENTIFIER_REJECTED,
          account,
        );
      if ((await deps.devices.modelOf(clientId)) !== undefined)
        return refused(
          'CLIENT_ID_IS_DEVICE',
          `client id ${clientId} belongs to a device`,
          IDENTIFIER_REJECTED,
          account,
        );
    }
    return { ok: true, identity: { kind: 'integration', account } };
  };

  if (!username) {
    const account = attempt.loopback ? await deps.integrations.anonymousLoopback() : undefined;
    if (!account)
      return refused(
        'BAD_CREDENTIALS',
        'log in with a device id and token, or an integration account',
        BAD_USERNAME_OR_PASSWORD,
      );
    return integration(account);
  }
  if ((await deps.devices.modelOf(username)) !== undefined) {
    // A device's client id must equal the device id it authenticates as.
    if (username !== clientId)
      return refused(
        'CLIENT_ID_MISMATCH',
        `client id ${clientId} does not match username ${username}`,
        IDENTIFIER_REJECTED,
      );
    if (!password || !(await deps.devices.verifyToken(username, password)))
      return refused('BAD_CREDENTIALS', `wrong credential for device ${username}`, BAD_USERNAME_OR_PASSWORD);
    return { ok: true, identity: { kind: 'device', deviceId: username } };
  }
  const account = password ? await deps.integrations.verify(username, password) : undefined;
  if (!account)
    return refused(
      'BAD_CREDENTIALS',
      `wrong credential for ${username}`,
      BAD_USERNAME_OR_PASSWORD,
      await deps.integrations.get(username),
    );
  return integration(account);
}

export interface ConnectRecordDeps {
  audit: AuditLog;
  counters: Counters;
  log: Logger;
}

/** Every refused CONNECT is counted (`auth.refused.<code>`) and logged; one naming an integration account is audited. */
export async function recordConnectRefusal(
  deps: ConnectRecordDeps,
  clientId: string,
  refusal: ConnectRefusal,
): Promise<void> {
  deps.counters.inc(`auth.refused.${refusal.code}`);
  deps.log.warn('connection refused', { clientId, code: refusal.code, reason: refusal.message });
  if (refusal.account)
    await deps.audit.record({
      actor: `integration:${refusal.account.name}`,
      action: 'integration.connect',
      target: clientId,
      outcome: 'refused',
      detail: { code: refusal.code, reason: refusal.message },
    });
}

/** An integration's accepted CONNECT is audited with its peer (devices connect too often to audit each one). */
export async function recordConnectAccepted(
  deps: ConnectRecordDeps,
  clientId: string,
  identity: Identity,
  peer: string | undefined,
): Promise<void> {
  if (identity.kind === 'integration')
    await deps.audit.record({
      actor: `integration:${identity.account.name}`,
      action: 'integration.connect',
      target: clientId,
      outcome: 'ok',
      detail: { peer },
    });
}
