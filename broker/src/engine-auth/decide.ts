import { createHash } from 'node:crypto';
import {
  ErrorCode,
  type EngineAuthResourceRequest,
  type EngineAuthTopicRequest,
  type EngineAuthUserRequest,
  type EngineAuthVhostRequest,
} from '@touchpoint/protocol';
import type { Counters } from '../counters.js';
import type { AuditLog } from '../fleet/audit.js';
import type { Devices } from '../fleet/devices.js';
import {
  SERVICE_ACCOUNT,
  clientIdPrefixOf,
  type IntegrationAccount,
  type Integrations,
} from '../fleet/integrations.js';
import { mayPublish } from '../hooks/acl.js';
import {
  BAD_USERNAME_OR_PASSWORD,
  decideConnect,
  recordConnectAccepted,
  recordConnectRefusal,
  type ConnectDecision,
} from '../hooks/connect-decision.js';
import type { Identity } from '../hooks/identity.js';
import { LogThrottle } from '../hooks/log-throttle.js';
import { maySubscribeUnfiltered } from '../hooks/subscribe-unfiltered.js';
import type { Logger } from '../logger.js';
import { IdentityCache } from './identity-cache.js';
import { TtlCache } from './ttl-cache.js';
import { routingKeyToMqtt, subscriptionQueues } from './routing-key.js';
import { API_USERNAME, apiMayPublish, apiMayUseResource } from './api-rights.js';
import { workerMayBind, workerMayPublish, workerMayUseResource } from './worker-rights.js';

/** Which of the fleet's own processes an AMQP login is: both log in with the service token, each under its name. */
type FleetProcess = 'worker' | 'api';

export interface EngineAuthDeps {
  devices: Devices;
  integrations: Integrations;
  audit: AuditLog;
  counters: Counters;
  log: Logger;
}

export interface EngineAuthSettings {
  /** The only virtual host devices may use (RabbitMQ's `mqtt.vhost`, default `/`). */
  vhost: string;
  /** The exchange the MQTT plugin publishes to (`mqtt.exchange`, default `amq.topic`). */
  exchange: string;
  /** How long an identity is reused for vhost, resource and topic checks, and an accepted login for the same user name, client id and token. */
  identityTtlMs: number;
}

export const DEFAULT_ENGINE_AUTH_SETTINGS: EngineAuthSettings = {
  vhost: '/',
  exchange: 'amq.topic',
  identityTtlMs: 10_000,
};

/**
 * The decisions behind RabbitMQ's HTTP auth backend (issue 15), made by the embedded broker's code:
 * decideConnect for the login, the ACL (mayPublish, maySubscribe) for every topic, with the client
 * id the MQTT plugin passes bound to the identity on every check. What RabbitMQ cannot ask here
 * (the last will's payload, each delivered message) is listed in docs/scale-out.md.
 */
export class EngineAuth {
  private readonly identities: IdentityCache;
  private readonly rejectLog = new LogThrottle();
  private readonly logins: TtlCache<string, Identity>;

  constructor(
    private readonly deps: EngineAuthDeps,
    private readonly settings: EngineAuthSettings = DEFAULT_ENGINE_AUTH_SETTINGS,
  ) {
    this.identities = new IdentityCache(deps.devices, deps.integrations, settings.identityTtlMs);
    this.logins = new TtlCache(settings.identityTtlMs);
    // A rotated or revoked account's cached logins end at once (in this process; others within the TTL).
    deps.integrations.onChange(() => this.logins.clear());
  }

  async user(req: EngineAuthUserRequest): Promise<boolean> {
    // The MQTT plugin always sends the client id; an AMQP 0-9-1 login has none (a fleet worker).
    const amqp = req.client_id === undefined;
    const clientId = req.client_id ?? '';
    // RabbitMQ asks twice per login (authentication, then authorisation, each through its cache):
    // the second ask within the TTL is answered from here, so an accepted login is audited once.
    const key = createHash('sha256')
      .update(`${req.username}\u0000${amqp ? '\u0001amqp' : clientId}\u0000${req.password ?? ''}`)
      .digest('base64');
    if (this.logins.get(key)) return this.count('user', true);
    const decision = amqp ? await this.decideWorkerLogin(req) : await this.decideLogin(req, clientId);
    if (!decision.ok) {
      await recordConnectRefusal(this.deps, clientId, decision);
      return this.count('user', false);
    }
    this.logins.set(key, decision.identity);
    await recordConnectAccepted(this.deps, clientId, decision.identity, undefined);
    return this.count('user', true);
  }

  async vhost(req: EngineAuthVhostRequest): Promise<boolean> {
    const identity = await this.identityOf(req.username, req.client_id);
    return this.count('vhost', identity !== undefined && req.vhost === this.settings.vhost);
  }

  async resource(req: EngineAuthResourceRequest): Promise<boolean> {
    const identity = await this.identityOf(req.username, req.client_id);
    if (!identity || req.vhost !== this.settings.vhost) return this.count('resource', false);
    // A fleet worker or an API process (AMQP, no client id): its queues and exchanges only.
    if (req.client_id === undefined) {
      const may = fleetProcessOf(req.username) === 'api' ? apiMayUseResource : workerMayUseResource;
      return this.count(
        'resource',
        isWorker(identity) && may(req.resource, req.name, req.permission, this.settings.exchange),
      );
    }
    // The fleet's own MQTT clients work the engine like an operator.
    if (identity.kind === 'integration' && identity.account.builtin) return this.count('resource', true);
    if (req.resource === 'exchange')
      return this.count('resource', req.name === this.settings.exchange && req.permission !== 'configure');
    if (req.resource !== 'queue') return this.count('resource', false);
    // A client's only queues are the two the MQTT plugin declares for its own client id.
    const clientId = /^mqtt-subscription-(.+)qos[01]$/.exec(req.name)?.[1];
    return this.count(
      'resource',
      clientId !== undefined &&
        subscriptionQueues(clientId).includes(req.name) &&
        (await this.clientIdBound(identity, clientId)),
    );
  }

  async topic(req: EngineAuthTopicRequest): Promise<boolean> {
    const clientId = req['variable_map.client_id'];
    const identity = await this.identityOf(req.username, clientId);
    if (clientId === undefined && identity && isWorker(identity)) return await this.workerTopic(identity, req);
    if (
      !identity ||
      req.vhost !== this.settings.vhost ||
      req.name !== this.settings.exchange ||
      clientId === undefined ||
      !(await this.clientIdBound(identity, clientId))
    ) {
      this.deps.counters.inc('engine.topic.unbound');
      return this.count('topic', false);
    }
    const topic = routingKeyToMqtt(req.routing_key);
    const allowed =
      req.permission === 'write'
        ? mayPublish(identity, topic)
        : maySubscribeUnfiltered(identity, topic, await this.identities.modelsOf(topic));
    if (!allowed) await this.refuseTopic(identity, clientId, req.permission, topic);
    return this.count('topic', allowed);
  }

  /**
   * An AMQP 0-9-1 login is a fleet worker: the built-in service account with the fleet's token,
   * checked by decideConnect (AMQP has no client id to bind, so none is asked for). Devices and
   * integration accounts use MQTT only: they are refused before their token is even checked.
   */
  private async decideWorkerLogin(req: EngineAuthUserRequest): Promise<ConnectDecision> {
    const notWorker = (account?: IntegrationAccount): ConnectDecision => ({
      ok: false,
      code: 'AMQP_NOT_WORKER',
      message: `${req.username} may not log in over AMQP: only the fleet's workers (the service account) do`,
      returnCode: BAD_USERNAME_OR_PASSWORD,
      account,
    });
    if (await this.deps.devices.get(req.username)) return notWorker();
    const decision = await decideConnect(this.deps, {
      clientId: '',
      clientIdAssigned: true,
      // An API process logs in as the service account under its own name (api-rights.ts).
      username: req.username === API_USERNAME ? SERVICE_ACCOUNT : req.username,
      password: req.password === undefined ? undefined : Buffer.from(req.password),
      loopback: false,
    });
    if (!decision.ok) return decision;
    if (!isWorker(decision.identity))
      return notWorker(decision.identity.kind === 'integration' ? decision.identity.account : undefined);
    return decision;
  }

  /**
   * A worker binds its queues to device up-traffic (read) and publishes receipts and other down-topics (write);
   * an API process publishes staff actions and call signalling down, and binds nothing to device traffic.
   */
  private async workerTopic(identity: Identity, req: EngineAuthTopicRequest): Promise<boolean> {
    if (req.vhost !== this.settings.vhost || req.name !== this.settings.exchange) return this.count('topic', false);
    const topic = routingKeyToMqtt(req.routing_key);
    const api = fleetProcessOf(req.username) === 'api';
    const allowed =
      req.permission === 'write'
        ? (api ? apiMayPublish : workerMayPublish)(identity, topic)
        : !api && workerMayBind(topic);
    if (!allowed) await this.refuseTopic(identity, 'amqp', req.permission, topic);
    return this.count('topic', allowed);
  }

  /** The identity behind a user name; an API process's (AMQP only) is the service account's. */
  private async identityOf(username: string, clientId: string | undefined): Promise<Identity | undefined> {
    if (username === API_USERNAME) return clientId === undefined ? this.identities.get(SERVICE_ACCOUNT) : undefined;
    return this.identities.get(username);
  }

  private async decideLogin(req: EngineAuthUserRequest, clientId: string): Promise<ConnectDecision> {
    const decision = await decideConnect(this.deps, {
      clientId,
      // RabbitMQ does not say whether it generated the id (for an empty one), so none counts as assigned.
      clientIdAssigned: false,
      username: req.username,
      password: req.password === undefined ? undefined : Buffer.from(req.password),
      // The engine asks from its own address: the client's is not in the request, so no anonymous accounts.
      loopback: false,
    });
    if (!decision.ok) return decision;
    const { identity } = decision;
    // The plugin routes `tp/v1/d/a.b/diag` as `tp.v1.d.a.b.diag` and hands it back as `tp/v1/d/a/b/diag`:
    // a device id with `.` would never match its own topics, so it is refused with the reason.
    if (identity.kind === 'device' && identity.deviceId.includes('.'))
      return {
        ok: false,
        code: 'ID_NOT_ROUTABLE',
        message: `device id ${identity.deviceId} contains "." which RabbitMQ's MQTT plugin uses as its level separator`,
        returnCode: BAD_USERNAME_OR_PASSWORD,
      };
    return decision;
  }

  /** The client id on a check is the one the identity logged in with (decideConnect's rule). */
  private async clientIdBound(identity: Identity, clientId: string): Promise<boolean> {
    if (identity.kind === 'device') return clientId === identity.deviceId;
    return clientId.startsWith(clientIdPrefixOf(identity.account)) && !(await this.identities.isDevice(clientId));
  }

  /** Counted and logged like the embedded hooks (authorize-publish, authorize-subscribe); an integration's refusal is audited. */
  private async refuseTopic(
    identity: Identity,
    clientId: string,
    permission: 'read' | 'write',
    topic: string,
  ): Promise<void> {
    const publish = permission === 'write';
    this.deps.counters.inc(publish ? 'acl.publish.refused' : 'acl.subscribe.refused');
    const suppressed = this.rejectLog.admit(`${clientId}\u0000${permission}`);
    if (suppressed !== undefined)
      this.deps.log.warn(publish ? 'publish refused' : 'subscription refused', {
        clientId,
        topic,
        code: ErrorCode.NOT_AUTHORIZED,
        ...(suppressed > 0 ? { suppressedSinceLast: suppressed } : {}),
      });
    if (identity.kind === 'integration')
      await this.deps.audit.record({
        actor: `integration:${identity.account.name}`,
        action: publish ? 'integration.publish' : 'integration.subscribe',
        target: topic,
        outcome: 'refused',
        detail: { clientId },
      });
  }

  private count(path: string, allowed: boolean): boolean {
    this.deps.counters.inc(`engine.${path}.${allowed ? 'allow' : 'deny'}`);
    return allowed;
  }
}

/** An AMQP login's process, by its user name. */
function fleetProcessOf(username: string): FleetProcess {
  return username === API_USERNAME ? 'api' : 'worker';
}

/** The fleet's workers and API processes log in as the built-in service account. */
function isWorker(identity: Identity): boolean {
  return identity.kind === 'integration' && identity.account.builtin;
}
