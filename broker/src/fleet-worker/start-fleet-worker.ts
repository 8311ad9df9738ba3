import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, TouchpointError } from '@touchpoint/protocol';
import { Counters } from '../counters.js';
import { openFleetStore } from '../db/open-store.js';
import { Ingest } from '../fleet/ingest.js';
import { LiveBus } from '../fleet/live.js';
import { loadModelRegistry } from '../fleet/profiles.js';
import { Quarantine } from '../fleet/quarantine.js';
import { Receipts } from '../fleet/receipts.js';
import { SERVICE_ACCOUNT } from '../fleet/integrations.js';
import { createReportIntake } from '../hooks/report-intake.js';
import { createLogger, silentLogger, type Logger } from '../logger.js';
import { dataPaths } from '../options.js';
import { AmqpConsumer, type AmqpEndpoint } from './amqp-consumer.js';

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

/**
 * `touchpoint fleet-worker` (issue 15, docs/scale-out.md "Fleet workers"): the embedded fleet's
 * ingest (the same intake as the aedes publish hook) fed from RabbitMQ instead of aedes. It holds
 * nothing a peer needs: the messages in hand are unacked until stored and receipted, so any number
 * of workers consume the one queue and a dead one's messages go to the others.
 */
export async function startFleetWorker(options: FleetWorkerOptions): Promise<RunningFleetWorker> {
  const log = options.logger ?? (options.log === 'silent' ? silentLogger : createLogger('fleet-worker'));
  const tokenPath = join(options.dataDir, 'keys', 'service-token');
  // Read, never created here: a token the fleet's database does not know would only be refused.
  if (!existsSync(tokenPath))
    throw new TouchpointError(
      ErrorCode.NOT_FOUND,
      `no service token at ${tokenPath}: run touchpoint engine-auth (or broker) with this data folder first`,
    );
  const password = readFileSync(tokenPath, 'utf8').trim();
  const models = loadModelRegistry(options.modelsDirs, log);
  const counters = new Counters();
  // PostgreSQL not reachable yet: waits with backoff; nothing is consumed before the store is open.
  const store = await openFleetStore({
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
      // No console in this process: the live bus has no listeners (the API processes read the database).
      ingest: new Ingest(
        store,
        new LiveBus((event, err) =>
          log.error('live listener failed', { event, code: 'INTERNAL', reason: (err as Error).message }),
        ),
        { profiles: models.profiles },
      ),
      quarantine: new Quarantine(store),
      receipts: new Receipts((topic, payload, opts) => consumer.publish(topic, payload, opts), log),
      counters,
      log,
    }),
  });
  await consumer.start();
  return {
    counters,
    consumer,
    async close() {
      await consumer.stop();
      await store.close();
      // What this worker did, for the operator (and the failure drill's report).
      log.info('stopped', counters.snapshot());
    },
  };
}
