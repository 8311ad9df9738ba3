import { ErrorCode, TouchpointError } from '@touchpoint/protocol';
import { Counters } from '../counters.js';
import { openDatabase } from '../db/database.js';
import type { AmqpEndpoint } from '../engine-link/engine-connection.js';
import { readServiceToken } from '../engine-link/read-service-token.js';
import { AuditLog } from '../fleet/audit.js';
import { Commands, type SignCommand } from '../fleet/commands.js';
import { Devices } from '../fleet/devices.js';
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
import { dataPaths } from '../options.js';
import { AmqpConsumer } from './amqp-consumer.js';

export interface FleetWorkerOptions {
  /** The engine's nodes; the worker uses one at a time and moves to the next when it is lost. */
  endpoints: readonly AmqpEndpoint[];
  /** The fleet's data folder: its SQLite database (shared in WAL mode) and the service token. */
  dataDir: string;
  /** Device models, for ingest's sensor checks (as `touchpoint broker --models-dir`). */
  modelsDirs: readonly string[];
  /** Unacked messages the engine hands this worker at once (default 100). */
  prefetch?: number;
  /** The MQTT plugin's exchange (default amq.topic). */
  exchange?: string;
  logger?: Logger;
  log?: 'silent';
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
 * commands and case status from the database (OnlineResync, as the embedded broker does).
 */
export async function startFleetWorker(options: FleetWorkerOptions): Promise<RunningFleetWorker> {
  const log = options.logger ?? (options.log === 'silent' ? silentLogger : createLogger('fleet-worker'));
  const password = readServiceToken(options.dataDir);
  const models = loadModelRegistry(options.modelsDirs, log);
  const db = openDatabase(dataPaths(options.dataDir).database);
  const counters = new Counters();
  const live = new LiveBus((event, err) =>
    log.error('live listener failed', { event, code: 'INTERNAL', reason: (err as Error).message }),
  );
  const consumer: AmqpConsumer = new AmqpConsumer({
    endpoints: options.endpoints,
    username: SERVICE_ACCOUNT,
    password,
    exchange: options.exchange ?? 'amq.topic',
    prefetch: options.prefetch ?? 100,
    counters,
    log,
    intake: createReportIntake({
      ingest: new Ingest(db, live, { profiles: models.profiles }),
      quarantine: new Quarantine(db),
      receipts: new Receipts((topic, payload, opts) => consumer.publish(topic, payload, opts), log),
      counters,
      log,
    }),
  });
  // What ingest stored reaches the console on every API process (issue 15, "the live channel").
  const stopRelay = new LiveRelay(live, counters, log).out((payload) =>
    consumer.connection.publish(LIVE_EXCHANGE, '', payload),
  );
  // On a birth: the device's pending commands (signed envelopes, as stored) and its newest case's status.
  const devices = new Devices(db);
  const audit = new AuditLog(db);
  const resync = new OnlineResync(
    db,
    new Commands(db, devices, models.profiles, NO_SIGNING, audit, live, consumer.publish),
    new Staff(db),
    consumer.publish,
    log,
    live,
  );
  await consumer.start();
  return {
    counters,
    consumer,
    async close() {
      resync.close();
      await consumer.stop();
      stopRelay();
      db.close();
      // What this worker did, for the operator (and the failure drill's report).
      log.info('stopped', counters.snapshot());
    },
  };
}
