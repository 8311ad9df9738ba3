import { ExitCode, UsageError, isLogLevel, type CliCommand, type LogLevel } from '@touchpoint/protocol';
import { requireModelsDirs } from '@touchpoint/models';
import { parseCommandArgs, portOption } from '@touchpoint/runtime';
import { startApi } from '../api/start-api.js';
import { createLogger } from '../logger.js';
import { amqpEndpoints } from './amqp-option.js';
import { requireDataDir } from './data-dir.js';
import { RETENTION_FLAGS, RETENTION_USAGE, retentionFromFlags } from './retention-flags.js';

export const apiCommand: CliCommand = {
  path: ['api'],
  summary: 'Serve the HTTP API, console and phone pages as one of N stateless processes on a RabbitMQ cluster',
  usage: `Usage: touchpoint api --amqp URL [--amqp URL]... [--http-port N] [--host H] [--data-dir DIR]
                      [--public-url URL] [--trusted-proxy ADDR]... [--secure-cookies] [--models-dir DIR]...
                      [--signer-socket PATH | --key-passphrase-file F] [--log LEVEL]
                      [--diagnostics-retention-days N] [--events-retention-days N] [--presence-retention-days N]

The console, the staff API and the phone pages of touchpoint broker, without its MQTT broker:
devices connect to the engine (RabbitMQ), fleet workers store what they send, and this
process publishes signed commands, case status and call signalling through the engine. Every
API process gets every live change on the engine's tp.live exchange, so run as many as you
like behind any HTTP load balancer. Logs in as service/api with the data folder's service
token (engine-auth must serve the engine). docs/scale-out.md, "API processes".
  --amqp URL      an engine node, amqp://host[:port][/vhost], no credentials; repeat for every node
  --http-port N   console and API (default 8080)
  --host H        interface to listen on (default 127.0.0.1)
  --public-url URL, --trusted-proxy ADDR, --secure-cookies, --models-dir DIR,
  --signer-socket PATH, --key-passphrase-file F
                  as for touchpoint broker; with several API processes, let them share one
                  touchpoint signer (--signer-socket) rather than a key file each
  --log LEVEL     debug, info, warn or error (default $TOUCHPOINT_LOG_LEVEL or info)
${RETENTION_USAGE}
  --data-dir DIR  the fleet's data folder (default $TOUCHPOINT_DATA_DIR or ./.touchpoint)`,
  async run(argv) {
    const { values } = parseCommandArgs({
      args: argv,
      options: {
        amqp: { type: 'string', multiple: true },
        'http-port': { type: 'string', default: '8080' },
        host: { type: 'string' },
        'public-url': { type: 'string' },
        'trusted-proxy': { type: 'string', multiple: true },
        'secure-cookies': { type: 'boolean' },
        'models-dir': { type: 'string', multiple: true },
        'signer-socket': { type: 'string' },
        'key-passphrase-file': { type: 'string' },
        log: { type: 'string' },
        'data-dir': { type: 'string' },
        ...Object.fromEntries(Object.keys(RETENTION_FLAGS).map((f) => [f, { type: 'string' as const }])),
      },
      allowPositionals: false,
      strict: true,
    });
    const endpoints = amqpEndpoints(values.amqp as string[] | undefined);
    const level = values.log as string | undefined;
    if (level !== undefined && !isLogLevel(level))
      throw new UsageError(`--log must be debug, info, warn or error, got ${JSON.stringify(level)}`);
    const proxies = (values['trusted-proxy'] as string[] | undefined) ?? process.env.TP_TRUSTED_PROXIES?.split(',');
    const running = await startApi({
      endpoints,
      dataDir: requireDataDir(values['data-dir'] as string | undefined),
      modelsDirs: requireModelsDirs((values['models-dir'] as string[] | undefined) ?? [], process.env.TP_MODELS_DIR),
      host: values.host as string | undefined,
      httpPort: portOption(values['http-port'] as string, '--http-port'),
      publicUrl: (values['public-url'] as string | undefined) ?? process.env.TP_PUBLIC_URL,
      secureCookies: values['secure-cookies'] === true ? true : undefined,
      trustedProxies: proxies?.map((s) => s.trim()).filter(Boolean),
      retention: retentionFromFlags(values),
      signing: {
        signerSocket: (values['signer-socket'] as string | undefined) ?? (process.env.TP_SIGNER_SOCKET || undefined),
        passphraseFile: values['key-passphrase-file'] as string | undefined,
      },
      logger: createLogger('api', level as LogLevel | undefined),
    });
    // One write, so a process reading this output (touchpoint demo --cluster) gets both lines together.
    const firstStart = running.initialAdmin
      ? `\nFirst start: admin account "${running.initialAdmin.name}", one-time password: ${running.initialAdmin.password}`
      : '';
    console.log(`Console   http://${running.host}:${running.httpPort}/${firstStart}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await running.close();
    return ExitCode.ok;
  },
};
