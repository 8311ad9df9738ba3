import { Aedes, type Client } from 'aedes';
import { consoleSurface } from './console-surface.js';
import aedesPersistenceLevel from 'aedes-persistence-level';
import { Level } from 'level';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { EventEmitter } from 'node:events';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_MODELS_DIR } from '@touchpoint/models';
import { deviceTopic, header, parseTopic, type PresenceMessage } from '@touchpoint/protocol';
import { Counters } from './counters.js';
import { openDatabase } from './db/database.js';
import { hashToken, newDeviceToken } from './fleet/credentials.js';
import { Fleet } from './fleet/fleet.js';
import { ensureFirstAdmin } from './first-admin.js';
import { loadModelRegistry } from './fleet/profiles.js';
import { openCommandSigner } from './signer/open-signer.js';
import { installHooks } from './hooks/install.js';
import { WebhookService } from './webhooks/service.js';
import { WillDeferred, WillSweep, type WillStore } from './hooks/will-sweep.js';
import { closeIntegrationClientsOnChange } from './hooks/integration-connections.js';
import { identityOf } from './hooks/identity.js';
import { simulatorRoutes } from './simulator/simulator-routes.js';
import { createHttpServer } from './http/server.js';
import { createLogger, silentLogger, type Logger } from './logger.js';
import { DEFAULT_LIMITS, checkPublicUrl, dataPaths, fleetLimits, type BrokerOptions } from './options.js';
import { withDirectRetainedLookup } from './persistence/retained-lookup.js';
import { disableClusterDedupe } from './transport/no-cluster-dedupe.js';
import { commandsHeldInSession, type OutgoingSessions } from './persistence/session-commands.js';
import { listen } from './transport/listen.js';
import { attachWebSocket, createMqttsServer, createTcpServer } from './transport/servers.js';
import { webSocketPolicy } from './transport/websocket-policy.js';
import { SignedContentDocuments } from './rollouts/content-documents.js';

export interface RunningBroker {
  host: string;
  mqttPort: number;
  httpPort: number;
  mqttsPort?: number | undefined;
  fleet: Fleet;
  counters: Counters;
  aedes: Aedes;
  /** Set on the very first start: the generated admin's one-time password. */
  initialAdmin?: { name: string; password: string } | undefined;
  /** A credential for service clients (`svc-*` client ids, username `service`). */
  serviceToken: string;
  close(): Promise<void>;
}

function loadOrCreateServiceToken(path: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const token = newDeviceToken();
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return token;
}

/** Starts aedes with the fleet service, on TCP, WebSocket (on the HTTP server) and optionally TLS. */
export async function startBroker(options: BrokerOptions & { logger?: Logger }): Promise<RunningBroker> {
  const log =
    options.logger ?? (options.log === 'silent' ? silentLogger : createLogger('broker', options.log ?? 'info'));
  const host = options.host ?? '127.0.0.1';
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const publicUrl = checkPublicUrl(options.publicUrl);
  const paths = dataPaths(options.dataDir);
  mkdirSync(join(options.dataDir, 'keys'), { recursive: true, mode: 0o700 });

  const counters = new Counters();
  const db = openDatabase(paths.database);
  // The command key lives behind the signer (issue 12 item 10); a refusal to start (key file readable by others, wrong passphrase) names the file and the fix.
  const signer = await openCommandSigner(options.dataDir, options.signing, log).catch((err: unknown) => {
    db.close();
    throw err;
  });
  const signerKeys = await signer.keys();
  const serviceToken = loadOrCreateServiceToken(join(options.dataDir, 'keys', 'service-token'));
  // One read of the models for the fleet's profiles and the console's flows, so the two cannot disagree (issue 14).
  const models = loadModelRegistry(options.modelsDirs ?? [DEFAULT_MODELS_DIR], log);
  const profiles = models.profiles;

  const level = new Level(paths.mqttSessions);
  const willSweep = new WillSweep(counters, log);
  const persistence = willSweep.track(
    withDirectRetainedLookup(
      aedesPersistenceLevel(level) as Parameters<typeof withDirectRetainedLookup>[0] & WillStore & OutgoingSessions,
      level,
      log,
    ),
  );
  const aedes = await Aedes.createBroker({
    persistence,
    concurrency: limits.concurrency,
    queueLimit: limits.queueLimit,
    maxInflightInbound: limits.maxInflightInbound,
    maxTopicLevels: limits.maxTopicLevels,
    connectTimeout: limits.connectTimeoutMs,
    drainTimeout: limits.drainTimeoutMs,
    // 0: aedes' own check answers CONNACK 6, which MQTT 3.1.1 does not define; preConnect applies the limit instead.
    keepaliveLimit: 0,
    maxClientsIdLength: 64,
    heartbeatInterval: limits.heartbeatIntervalMs,
  });

  const publish = (topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }) =>
    new Promise<void>((resolve, reject) => {
      aedes.publish(
        { cmd: 'publish', topic, payload: Buffer.from(payload), qos: opts.qos, retain: opts.retain, dup: false },
        (err?: Error) => (err ? reject(err) : resolve()),
      );
    });
  const fleet = new Fleet(
    db,
    profiles,
    { signer, keys: signerKeys },
    publish,
    log,
    fleetLimits(limits, options.retention),
  );

  // Issue 17: the fleet's events go into the durable webhook queue in this process; its worker delivers them.
  // A case's link back to the console uses --public-url, else the address the HTTP server gets below.
  let consoleOrigin = publicUrl;
  const webhooks = new WebhookService(
    fleet,
    counters,
    log,
    (caseId) => (consoleOrigin ? `${consoleOrigin}/#/queue/${encodeURIComponent(caseId)}` : undefined),
    options.webhooks,
  );
  webhooks.start();
  await fleet.integrations.ensureService(hashToken(serviceToken));
  // aedes' authorizeForward runs synchronously per delivered message: it reads device models from memory.
  await fleet.devices.loadModels();
  // A command aedes still holds in the device's session reaches it from there; the birth's resync leaves it out.
  fleet.resync.skipHeldBySession((deviceId) => commandsHeldInSession(persistence, deviceId));
  installHooks(aedes, {
    willSweep,
    limits,
    devices: fleet.devices,
    integrations: fleet.integrations,
    audit: fleet.audit,
    ingest: fleet.ingest,
    quarantine: fleet.quarantine,
    receipts: fleet.receipts,
    counters,
    log,
  });
  disableClusterDedupe(aedes);

  // Connection generations: only the newest client of a device may mark it offline.
  const liveClient = new Map<string, Client>();
  aedes.on('client', (client) => {
    const identity = identityOf(client);
    if (identity?.kind === 'device') liveClient.set(identity.deviceId, client);
  });
  const stopIntegrationWatch = closeIntegrationClientsOnChange(
    aedes,
    fleet.integrations,
    log,
    options.integrationCheckMs ?? 5_000,
  );
  aedes.on('clientDisconnect', (client) => {
    const identity = identityOf(client);
    if (identity?.kind !== 'device' || liveClient.get(identity.deviceId) !== client) return;
    liveClient.delete(identity.deviceId);
    const deviceId = identity.deviceId;
    const markOffline = async () => {
      const device = await fleet.devices.get(deviceId);
      if (!device?.online) return;
      const connectionId = device.connectionId;
      if (!(await fleet.ingest.markOffline(deviceId, connectionId, Date.now()))) return;
      // A clean disconnect sends no will, so the retained presence is corrected here.
      const offline: PresenceMessage = {
        ...header(),
        deviceId,
        state: 'offline',
        connectionId: connectionId ?? 'unknown',
      };
      publish(deviceTopic(deviceId, 'presence'), JSON.stringify(offline), { qos: 1, retain: true }).catch(
        (err: unknown) =>
          log.error('could not publish offline presence', { code: 'INTERNAL', reason: (err as Error).message }),
      );
    };
    // The store failed: the device stays online in the fleet until its next birth or will; counted and logged.
    markOffline().catch((err: unknown) => {
      counters.inc('presence.offline_failed');
      log.error('could not mark a device offline', { deviceId, code: 'INTERNAL', reason: (err as Error).message });
    });
  });
  aedes.on('ack', (packet) => {
    const parsed = packet && 'topic' in packet ? parseTopic(packet.topic) : undefined;
    if (parsed?.kind !== 'command' || !('payload' in packet)) return;
    try {
      const id = (JSON.parse(packet.payload.toString()) as { id?: unknown }).id;
      if (typeof id === 'string') fleet.commands.markDelivered(id);
    } catch {
      counters.inc('ack.unparsable');
    }
  });
  // A device subscribing to its keys topic (every connect) gets the current signed key list.
  aedes.on('subscribe', (subscriptions, client) => {
    const identity = identityOf(client);
    if (identity?.kind === 'device')
      fleet.keys.onSubscribe(
        identity.deviceId,
        subscriptions.map((s) => s.topic),
      );
  });
  // aedes emits 'error' from its will sweep; without a listener that would end the process.
  (aedes as unknown as EventEmitter).on('error', (err: Error) => {
    // A sweep stopped for a close (will-sweep.ts) is counted there as will.deferred; the wills stay stored.
    if (err instanceof WillDeferred) return log.debug('will sweep stopped for close', { reason: err.message });
    counters.inc('broker.error');
    log.error('broker error', { code: 'INTERNAL', reason: err.message });
  });
  aedes.on('clientError', (client, err) => log.debug('client error', { clientId: client.id, reason: err.message }));
  aedes.on('connectionError', (client, err) => {
    counters.inc('connection.error');
    log.debug('connection error', { clientId: client.id, reason: err.message });
  });

  const expirySweep = setInterval(() => {
    try {
      fleet.commands.expireOverdue();
    } catch (err) {
      log.error('expiry sweep failed', { code: 'INTERNAL', reason: (err as Error).message });
    }
  }, options.expirySweepMs ?? 5_000);
  expirySweep.unref();
  const stopKeyWatch = fleet.keys.watch(options.keyCheckMs ?? 5_000);
  fleet.retention.start();
  fleet.rollouts.start(options.rolloutEvaluateMs ?? 60_000);

  const transport = { aedes, limits, counters, log };
  const servers: Server[] = [];
  const tcp = createTcpServer(transport);
  const http = createHttpServer(() => handlers, log);
  const { video, phone, handlers } = consoleSurface({
    fleet,
    publish,
    counters,
    log,
    models,
    host,
    video: options.video,
    webhooks,
    consoleDir: options.consoleDir,
    secureCookies: options.secureCookies,
    publicUrl,
    trustedProxies: options.trustedProxies,
    extraRoutes: simulatorRoutes(options.simulator),
    listenOrigin: () => consoleOrigin,
  });
  const wss = attachWebSocket(transport, http, webSocketPolicy(host, publicUrl));
  try {
    const mqttPort = await listen(tcp, options.mqttPort ?? 1883, host, 'MQTT', '--mqtt-port');
    servers.push(tcp);
    const httpPort = await listen(http, options.httpPort ?? 8080, host, 'HTTP', '--http-port');
    consoleOrigin ??= `http://${host.includes(':') ? `[${host}]` : host}:${httpPort}`;
    // Issue 18: devices fetch the versions a rollout sends from this broker (its public URL), signed with the maker's key.
    if (options.contentKey) fleet.rollouts.usePublisher(new SignedContentDocuments(options.contentKey, consoleOrigin));
    servers.push(http);
    let mqttsPort: number | undefined;
    if (options.tls) {
      const tls = createMqttsServer(transport, options.tls);
      mqttsPort = await listen(tls, options.mqttsPort ?? 8883, host, 'MQTTS', '--mqtts-port');
      servers.push(tls);
    }
    // Only once the ports are ours: a failed start must not swallow the one-time password.
    const initialAdmin = await ensureFirstAdmin(fleet);
    log.info('broker ready', {
      host,
      mqttPort,
      httpPort,
      mqttsPort,
      dataDir: options.dataDir,
      profiles: [...profiles.keys()],
    });

    let closed = false;
    return {
      host,
      mqttPort,
      httpPort,
      mqttsPort,
      fleet,
      counters,
      aedes,
      initialAdmin,
      serviceToken,
      async close() {
        if (closed) return;
        closed = true;
        clearInterval(expirySweep);
        stopIntegrationWatch();
        stopKeyWatch();
        fleet.retention.stop();
        video.close();
        phone.close();
        fleet.receipts.close();
        fleet.resync.close();
        fleet.rollouts.close();
        fleet.fleetFixes.close();
        await webhooks.stop();
        for (const client of wss.clients) client.terminate();
        wss.close();
        // Before aedes and the stores close: a will sweep under way finishes or leaves its wills stored.
        await willSweep.close();
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        await Promise.all(
          servers.map(
            (s) =>
              new Promise<void>((resolve) => {
                if ('closeAllConnections' in s) (s as unknown as { closeAllConnections(): void }).closeAllConnections();
                s.close(() => resolve());
              }),
          ),
        );
        await level.close();
        await fleet.ingest.flush();
        db.close();
        await signer.close();
      },
    };
  } catch (err) {
    clearInterval(expirySweep);
    stopIntegrationWatch();
    stopKeyWatch();
    fleet.retention.stop();
    video.close();
    await webhooks.stop();
    for (const s of servers) s.close();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await level.close();
    db.close();
    await signer.close();
    throw err;
  }
}
