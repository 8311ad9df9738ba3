import { ExitCode, type CliCommand } from '@touchpoint/protocol';
import { numberOption, parseCommandArgs, portOption } from '@touchpoint/runtime';
import { startEngineAuth } from '../engine-auth/start-engine-auth.js';
import { requireDataDir } from './data-dir.js';
import { resolveDatabaseUrl } from './database-url.js';

export const engineAuthCommand: CliCommand = {
  path: ['engine-auth'],
  summary: "Serve a clustered MQTT engine's HTTP auth hook (RabbitMQ) from the fleet's devices and accounts",
  usage: `Usage: touchpoint engine-auth [--port N] [--host H] [--data-dir DIR] [--vhost V] [--exchange X] [--identity-ttl-ms N] [--database-url URL]

Answers RabbitMQ's rabbitmq_auth_backend_http (POST or GET /auth/user, /auth/vhost,
/auth/resource, /auth/topic) with the embedded broker's identity and ACL code, and GET
/health with its counters. Point auth_http.*_path at it (docs/scale-out.md).
  --port N             default 8091
  --host H             default 127.0.0.1; keep it on a private interface: it tells whether a token is right
  --vhost V            the only virtual host MQTT clients may use (RabbitMQ mqtt.vhost, default /)
  --exchange X         the MQTT plugin's exchange (mqtt.exchange, default amq.topic)
  --identity-ttl-ms N  how long a user name's identity is reused for the checks after login (default 10000)
  --data-dir DIR       the fleet's data folder (default $TOUCHPOINT_DATA_DIR or ./.touchpoint): the service
                       token, and the SQLite database when there is no --database-url
  --database-url URL   the fleet's PostgreSQL database, postgres://user@host:port/db (default
                       $TOUCHPOINT_DATABASE_URL; none: SQLite); no password here, see docs/scale-out.md`,
  async run(argv) {
    const { values } = parseCommandArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '8091' },
        host: { type: 'string' },
        vhost: { type: 'string' },
        exchange: { type: 'string' },
        'identity-ttl-ms': { type: 'string' },
        'data-dir': { type: 'string' },
        'database-url': { type: 'string' },
      },
      allowPositionals: false,
      strict: true,
    });
    // Installed before the start: engine-auth still waiting for PostgreSQL stops cleanly too.
    const stop = new AbortController();
    const stopped = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve()));
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    const databaseUrl = resolveDatabaseUrl(values['database-url'] as string | undefined);
    let running;
    try {
      running = await startEngineAuth({
        dataDir: requireDataDir(values['data-dir'] as string | undefined),
        databaseUrl,
        signal: stop.signal,
        host: values.host as string | undefined,
        port: portOption(values.port as string, '--port'),
        vhost: values.vhost as string | undefined,
        exchange: values.exchange as string | undefined,
        identityTtlMs:
          values['identity-ttl-ms'] === undefined
            ? undefined
            : numberOption(values['identity-ttl-ms'] as string, '--identity-ttl-ms', {
                integer: true,
                min: 0,
                max: 3_600_000,
              }),
      });
    } catch (err) {
      if (stop.signal.aborted) return ExitCode.ok;
      throw err;
    }
    console.log(`Engine auth  ${running.url}/auth/{user,vhost,resource,topic}`);
    await stopped;
    await running.close();
    return ExitCode.ok;
  },
};
