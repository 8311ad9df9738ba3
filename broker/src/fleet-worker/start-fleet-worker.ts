import { ErrorCode, TouchpointError } from '@touchpoint/protocol';
import { Counters } from '../counters.js';
import { openDatabase, type Db } from '../db/database.js';
import type { AmqpEndpoint } from '../engine-link/engine-connection.js';
import { readServiceToken } from '../engine-link/read-service-token.js';
import { AuditLog } from '../fleet/audit.js';
import { Cases } from '../fleet/cases.js';
import { Commands, type SignCommand } from '../fleet/commands.js';
import { Devices } from '../fleet/devices.js';
import { openFleetStore } from '../db/open-store.js';
import { sqliteStore, type SqlStore } from '../db/sql-store.js';
import { Ingest } from '../fleet/ingest.js';
import { LiveBus } from '../fleet/live.js';
import { OnlineResync } from '../fleet/online-resync.js';
import { loadModelRegistry } from '../fleet/profiles.js';
import { Quarantine } from '../fleet/quarantine.js';
import { Receipts } from '../fleet/receipts.js';
import { Staff } from '../fleet/staff.js';
import { SERVICE_ACCOUNT } from '../fleet/integrations.js';
import { createReportIntake } from '../hooks/report-intake.js';
import { LiveRelay } from '../live-channel/live-relay.js';
import { LIVE_EXCHANGE } from '../live-channel/topology.js';
import { createLogger, silentLogger, type Logger } from '../logger.js';
import { checkPublicUrl, dataPaths } from '../options.js';
import { DeliveryQueue } from '../webhooks/deliveries.js';
import { WebhookEndpoints } from '../webhooks/endpoints.js';
import { WebhookProducer } from '../webhooks/producer.js';
import { AmqpConsumer } from './amqp-consumer.js';

export interface FleetWorkerOptions {
  /** The engine's nodes; the worker uses one at a time and moves to the next when it is lost. */
  endpoints: readonly AmqpEndpoint[];
  /** The fleet's data folder: the service token, and its SQLite database (shared in WAL mode) without `databaseUrl`. */
  dataDir: string;
  /** The fleet's PostgreSQL database (`postgres://…`) instead of the data folder's SQLite file (issue 15). */
  databaseUrl?: string;
  /** Device models, for ingest's sensor checks (as `touchpoint broker --models-dir`). */
  modelsDirs: readonly string[];
  /** Unacked messages the engine hands this worker at once (default 100). */
  prefetch?: number;
  /** The MQTT plugin's exchange (default amq.topic). */
  exchange?: string;
  /** The console's address behind the load balancer, for the case links in webhook events (as `touchpoint api --public-url`). */
  publicUrl?: string | undefined;
  logger?: Logger;
  log?: 'silent';
  /** Ends the wait for an unreachable database at start (the process is stopping); the start then rejects. */
  signal?: AbortSignal;
}

export interface RunningFleetWorker {
  counters: Counters;
  consumer: AmqpConsumer;
  close(): Promise<void>;
}

/** A worker re-sends stored envelopes on a birth and never signs (issue 15: signing stays out of the workers' reach). */
const NO_SIGNING: SignCommand = {
  sign: () => Promise.reject(new TouchpointError(ErrorCode.NOT_AUTHORIZED, 'a fleet worker does not sign commands')),
};

/**
 * `touchpoint fleet-worker` (issue 15, docs/scale-out.md "Fleet workers"): the embedded fleet's
 * ingest (the same intake as the aedes publish hook) fed from RabbitMQ instead of aedes. It holds
 * nothing a peer needs: the messages in hand are unacked until stored and receipted, so any number
 * of workers consume the one queue and a dead one's messages go to the others. What it stored goes to
 * the API processes on the live channel; a device's birth makes it send the device its pending
 * commands and case status from the database (OnlineResync, as the embedded broker does). The webhook events
 * of what it stored are queued here, once; API processes deliver them (issue 17, docs/integrations.md).
 */
export async function startFleetWorker(options: FleetWorkerOptions): Promise<RunningFleetWorker> {
  const log = options.logger ?? (options.log === 'silent' ? silentLogger : createLogger('fleet-worker'));
  const password = readServiceToken(options.dataDir);
  const publicUrl = checkPublicUrl(options.publicUrl);
  const models = loadModelRegistry(options.modelsDirs, log);
  const counters = new Counters();
  const live = new LiveBus((event, err) =>
    log.error('live listener failed', { event, code: 'INTERNAL', reason: (err as Error).message }),
  );
  // SQLite (the default): the store layer shares the connection with the stores still written for
  // better-sqlite3 (the birth's resync). PostgreSQL: waits with backoff until it answers.
  const sqlite = options.databaseUrl ? undefined : openDatabase(dataPaths(options.dataDir).database);
  const store = sqlite
    ? sqliteStore(sqlite)
    : await openFleetStore({
        databaseUrl: options.databaseUrl,
        sqlitePath: dataPaths(options.dataDir).database,
        log,
        signal: options.signal,
      });
  const consumer: AmqpConsumer = new AmqpConsumer({
    endpoints: options.endpoints,
    username: SERVICE_ACCOUNT,
    password,
    exchange: options.exchange ?? 'amq.topic',
    prefetch: options.prefetch ?? 100,
    counters,
    log,
    // After a storage failure the worker drops its connection; it consumes again once the store answers.
    ready: () => store.ping(),
    intake: createReportIntake({
      ingest: new Ingest(store, live, { profiles: models.profiles }),
      quarantine: new Quarantine(store),
      receipts: new Receipts((topic, payload, opts) => consumer.publish(topic, payload, opts), log),
      counters,
      log,
    }),
  });
  // Webhooks (issue 17 in cluster mode): what this worker ingests (case opened, command result, error raised) is
  // queued here, once, in the shared database; API processes deliver it. Subscribed before the relay, so the
  // rows exist when the API processes hear of the event. Webhooks are on the SQLite connection only for now.
  // Webhook events name the device's model from the registry's memory (they are queued synchronously).
  const webhookDevices = sqlite ? new Devices(store) : undefined;
  await webhookDevices?.loadModels();
  const stopWebhooks =
    sqlite && webhookDevices ? queueWebhookEvents(sqlite, webhookDevices, store, live, counters, publicUrl) : undefined;
  if (!stopWebhooks)
    log.warn('no webhook events from a fleet worker on PostgreSQL yet: webhooks run on the SQLite database', {
      code: 'NOT_BUILT',
    });
  // What ingest stored reaches the console on every API process (issue 15, "the live channel").
  const stopRelay = new LiveRelay(live, counters, log).out((payload) =>
    consumer.connection.publish(LIVE_EXCHANGE, '', payload),
  );
  // On a birth: the device's pending commands (signed envelopes, as stored) and its newest case's status.
  // Commands, cases and staff still run on better-sqlite3 only, so on PostgreSQL the worker does not resync yet.
  const resync = sqlite
    ? new OnlineResync(
        sqlite,
        new Commands(
          sqlite,
          new Devices(store),
          models.profiles,
          NO_SIGNING,
          new AuditLog(store),
          live,
          consumer.publish,
        ),
        new Staff(sqlite),
        consumer.publish,
        log,
        live,
      )
    : undefined;
  if (!resync)
    log.warn(
      'no resync on a birth with PostgreSQL yet: commands and case status reach a device that comes back only when they are sent',
      {
        code: 'NOT_BUILT',
      },
    );
  await consumer.start();
  return {
    counters,
    consumer,
    async close() {
      resync?.close();
      await consumer.stop();
      stopRelay();
      stopWebhooks?.();
      await store.close();
      sqlite?.close();
      // What this worker did, for the operator (and the failure drill's report).
      log.info('stopped', counters.snapshot());
    },
  };
}

/** The worker's webhook producer: the case stores it reads to describe a case, on the worker's SQLite connection. */
function queueWebhookEvents(
  db: Db,
  devices: Devices,
  store: SqlStore,
  live: LiveBus,
  counters: Counters,
  publicUrl: string | undefined,
): () => void {
  const audit = new AuditLog(store);
  // Never publishes: a worker only reads cases here.
  const cases = new Cases(db, audit, live, () =>
    Promise.reject(new TouchpointError(ErrorCode.NOT_AUTHORIZED, 'a fleet worker does not change cases')),
  );
  const producer = new WebhookProducer(db, new WebhookEndpoints(db), new DeliveryQueue(db), counters);
  return producer.watch({
    live,
    cases,
    devices,
    staff: new Staff(db),
    caseUrl: (caseId) => (publicUrl ? `${publicUrl}/#/queue/${encodeURIComponent(caseId)}` : undefined),
  });
}
