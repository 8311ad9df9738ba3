import type { Server } from 'node:http';
import { consoleSurface } from '../console-surface.js';
import { Counters } from '../counters.js';
import { openDatabase } from '../db/database.js';
import { API_USERNAME } from '../engine-auth/api-rights.js';
import { EngineConnection, type AmqpEndpoint } from '../engine-link/engine-connection.js';
import { enginePublish } from '../engine-link/engine-publish.js';
import { readServiceToken } from '../engine-link/read-service-token.js';
import { ensureFirstAdmin } from '../first-admin.js';
import { Fleet } from '../fleet/fleet.js';
import { loadModelRegistry } from '../fleet/profiles.js';
import { createHttpServer } from '../http/server.js';
import { LiveRelay } from '../live-channel/live-relay.js';
import { LIVE_EXCHANGE, LIVE_EXCHANGE_TYPE, apiLiveQueue } from '../live-channel/topology.js';
import { createLogger, silentLogger, type Logger } from '../logger.js';
import { DEFAULT_LIMITS, checkPublicUrl, dataPaths, fleetLimits, type RetentionSettings } from '../options.js';
import { openCommandSigner, type SigningOptions } from '../signer/open-signer.js';
import { listen } from '../transport/listen.js';
import type { VideoOptions } from '../video/index.js';
import { WebhookService, type WebhookOptions } from '../webhooks/service.js';

export interface ApiOptions {
  /** The engine's nodes; the process uses one at a time and moves to the next when it is lost. */
  endpoints: readonly AmqpEndpoint[];
  /** The fleet's data folder: its database (shared with the workers), the service token, the command key. */
  dataDir: string;
  modelsDirs: readonly string[];
  host?: string | undefined;
  /** Default 8080; 0 for a free port. */
  httpPort?: number | undefined;
  /** The MQTT plugin's exchange (default amq.topic). */
  exchange?: string | undefined;
  publicUrl?: string | undefined;
  secureCookies?: boolean | undefined;
  trustedProxies?: string[] | undefined;
  consoleDir?: string | undefined;
  signing?: SigningOptions | undefined;
  retention?: RetentionSettings | undefined;
  video?: VideoOptions | undefined;
  expirySweepMs?: number | undefined;
  keyCheckMs?: number | undefined;
  /** Webhook delivery, as startBroker's (docs/integrations.md, "Retries and the dead-letter list"). */
  webhooks?: Partial<WebhookOptions> | undefined;
  logger?: Logger;
  log?: 'silent';
}

export interface RunningApi {
  host: string;
  httpPort: number;
  fleet: Fleet;
  counters: Counters;
  /** This process's id on the live channel (its queue is `tp.api.live.<origin>`). */
  origin: string;
  engine: EngineConnection;
  /** Set on the very first start of the fleet: the generated admin's one-time password. */
  initialAdmin?: { name: string; password: string } | undefined;
  close(): Promise<void>;
}

/**
 * `touchpoint api` (issue 15, docs/scale-out.md "API processes"): the HTTP API, the console and the
 * phone pages with the embedded broker's route table and Fleet, without aedes. What it publishes to
 * devices (signed commands, case status, key lists, call signalling) goes through the engine; what the
 * console shows live comes from its own staff actions and, through the live channel, from every fleet
 * worker and every other API process. It holds nothing another API process needs, so any number run
 * behind an HTTP load balancer; each delivers webhooks from the shared queue (a lease per attempt).
 */
export async function startApi(options: ApiOptions): Promise<RunningApi> {
  const log = options.logger ?? (options.log === 'silent' ? silentLogger : createLogger('api'));
  const host = options.host ?? '127.0.0.1';
  const publicUrl = checkPublicUrl(options.publicUrl);
  const password = readServiceToken(options.dataDir);
  const exchange = options.exchange ?? 'amq.topic';
  const counters = new Counters();
  const db = openDatabase(dataPaths(options.dataDir).database);
  // The key behind the signer, as in the broker (docs/keys.md); a refusal to start names the fix.
  const signer = await openCommandSigner(options.dataDir, options.signing, log).catch((err: unknown) => {
    db.close();
    throw err;
  });
  const signerKeys = await signer.keys();
  const models = loadModelRegistry(options.modelsDirs, log);

  const engine = new EngineConnection({
    endpoints: options.endpoints,
    username: API_USERNAME,
    password,
    connectionName: 'touchpoint api',
    readyMessage: 'live channel ready',
    // Back on the engine after a loss: what was published meanwhile never reached this process's queue.
    onReady: (again) => {
      if (again) fleet.live.emit('gap', { reason: 'the live channel reconnected to the engine' });
    },
    counters,
    log,
    // Runs from engine.start(), below, once the relay exists.
    async setup(session) {
      const { channel } = session;
      const queue = apiLiveQueue(relay.origin);
      await channel.assertExchange(LIVE_EXCHANGE, LIVE_EXCHANGE_TYPE, { durable: true });
      // Exclusive and auto-delete: it lives as long as this connection, so a dead process leaves nothing behind.
      await channel.assertQueue(queue, { exclusive: true, autoDelete: true, durable: false });
      await channel.bindQueue(queue, LIVE_EXCHANGE, '');
      // No acks: a live event missed while reconnecting is in the database, which the console refetches.
      await channel.consume(
        queue,
        (msg) => (msg ? relay.receive(msg.content) : session.drop('live queue cancelled by the engine')),
        { noAck: true },
      );
    },
  });
  const publish = enginePublish(engine, exchange);
  const fleet = new Fleet(
    db,
    models.profiles,
    { signer, keys: signerKeys },
    publish,
    log,
    fleetLimits(DEFAULT_LIMITS, options.retention),
  );
  const relay = new LiveRelay(fleet.live, counters, log);
  const stopRelay = relay.out((payload) => engine.publish(LIVE_EXCHANGE, '', payload));
  await engine.start();

  // Idempotent sweeps: every API process may run them on the shared database.
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

  // Webhooks (issue 17 in cluster mode): this process queues its own staff actions' events (a worker queues
  // what it ingests; the relay's events were queued by their origin and only wake the delivery loop here), and
  // delivers from the shared queue, one lease per attempt, beside every other API process.
  let consoleOrigin = publicUrl;
  const webhooks = new WebhookService(
    fleet,
    counters,
    log,
    (caseId) => (consoleOrigin ? `${consoleOrigin}/#/queue/${encodeURIComponent(caseId)}` : undefined),
    options.webhooks,
    { local: () => !relay.relayingRemote, remote: () => webhooks.wake() },
  );
  webhooks.start();

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
  });
  const http: Server = createHttpServer(() => handlers, log);
  const stopAll = async (): Promise<void> => {
    clearInterval(expirySweep);
    stopKeyWatch();
    fleet.retention.stop();
    video.close();
    phone.close();
    await webhooks.stop();
    fleet.resync.close();
    fleet.receipts.close();
    stopRelay();
    await engine.stop();
    db.close();
    await signer.close();
  };
  let httpPort: number;
  try {
    httpPort = await listen(http, options.httpPort ?? 8080, host, 'HTTP', '--http-port');
  } catch (err) {
    await stopAll();
    throw err;
  }
  consoleOrigin ??= `http://${host.includes(':') ? `[${host}]` : host}:${httpPort}`;
  const initialAdmin = await ensureFirstAdmin(fleet);
  log.info('api ready', { host, httpPort, origin: relay.origin, dataDir: options.dataDir });
  let closed = false;
  return {
    host,
    httpPort,
    fleet,
    counters,
    origin: relay.origin,
    engine,
    initialAdmin,
    async close() {
      if (closed) return;
      closed = true;
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await stopAll();
      log.info('stopped', counters.snapshot());
    },
  };
}
