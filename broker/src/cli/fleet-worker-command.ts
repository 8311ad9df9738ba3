import { ExitCode, UsageError, isLogLevel, type CliCommand, type LogLevel } from '@touchpoint/protocol';
import { requireModelsDirs } from '@touchpoint/models';
import { numberOption, parseCommandArgs } from '@touchpoint/runtime';
import { startFleetWorker } from '../fleet-worker/start-fleet-worker.js';
import { createLogger } from '../logger.js';
import { amqpEndpoints } from './amqp-option.js';
import { requireDataDir } from './data-dir.js';
import { resolveDatabaseUrl } from './database-url.js';

export const fleetWorkerCommand: CliCommand = {
  path: ['fleet-worker'],
  summary: 'Ingest device reports from a RabbitMQ cluster as one of N stateless fleet workers',
  usage: `Usage: touchpoint fleet-worker --amqp URL [--amqp URL]... [--data-dir DIR] [--database-url URL] [--prefetch N] [--log LEVEL] [--models-dir DIR]...
                              [--public-url URL]

Consumes device up-traffic (presence, diagnostics, events, command results, cases) from the
quorum queue tp.fleet.ingest on the engine's amq.topic exchange, validates and stores every
message with the embedded fleet's ingest, publishes the device's receipt (publisher confirms)
and acks only then. On a device's birth it sends the device its pending commands and case
status; what it stores goes to the API processes on the engine's tp.live exchange, and the
webhook events of what it stored (case opened, command result, error raised) go into the
fleet database's delivery queue, which the API processes deliver. Logs in as
the service account with the data folder's token (engine-auth must serve the engine).
docs/scale-out.md, "Fleet workers".
  --amqp URL        an engine node, amqp://host[:port][/vhost], no credentials; repeat for every node
                    (the worker uses one and moves to the next when it is lost)
  --prefetch N      unacked messages in hand at once, 1-10000 (default 100)
  --log LEVEL       debug, info, warn or error (default $TOUCHPOINT_LOG_LEVEL or info)
  --models-dir DIR  device models of your own, as for touchpoint broker
  --public-url URL  the console's address (as for touchpoint api), for the case links in
                    webhook events (default $TP_PUBLIC_URL; none: the events carry url null)
  --data-dir DIR    the fleet's data folder (default $TOUCHPOINT_DATA_DIR or ./.touchpoint): the service
                    token, and the SQLite database when there is no --database-url
  --database-url URL  the fleet's PostgreSQL database, postgres://user@host:port/db (default
                    $TOUCHPOINT_DATABASE_URL; none: SQLite); no password here, see docs/scale-out.md`,
  async run(argv) {
    const { values } = parseCommandArgs({
      args: argv,
      options: {
        amqp: { type: 'string', multiple: true },
        prefetch: { type: 'string', default: '100' },
        log: { type: 'string' },
        'models-dir': { type: 'string', multiple: true },
        'data-dir': { type: 'string' },
        'database-url': { type: 'string' },
        'public-url': { type: 'string' },
      },
      allowPositionals: false,
      strict: true,
    });
    const endpoints = amqpEndpoints(values.amqp as string[] | undefined);
    const level = values.log as string | undefined;
    if (level !== undefined && !isLogLevel(level))
      throw new UsageError(`--log must be debug, info, warn or error, got ${JSON.stringify(level)}`);
    const modelsDirs = requireModelsDirs(
      (values['models-dir'] as string[] | undefined) ?? [],
      process.env.TP_MODELS_DIR,
    );
    // Installed before the start: a worker still waiting for its database stops cleanly too.
    const stop = new AbortController();
    const stopped = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve()));
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    let worker;
    try {
      worker = await startFleetWorker({
        endpoints,
        dataDir: requireDataDir(values['data-dir'] as string | undefined),
        databaseUrl: resolveDatabaseUrl(values['database-url'] as string | undefined),
        modelsDirs,
        publicUrl: (values['public-url'] as string | undefined) ?? process.env.TP_PUBLIC_URL,
        prefetch: numberOption(values.prefetch as string, '--prefetch', { integer: true, min: 1, max: 10_000 }),
        logger: createLogger('fleet-worker', level as LogLevel | undefined),
        signal: stop.signal,
      });
    } catch (err) {
      if (stop.signal.aborted) return ExitCode.ok;
      throw err;
    }
    await stopped;
    await worker.close();
    return ExitCode.ok;
  },
};
