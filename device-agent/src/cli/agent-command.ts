import { parseCommandArgs } from '@touchpoint/runtime';
import { ExitCode, type CliCommand } from '@touchpoint/protocol';
import { createAgent } from '../agent.js';
import { loadConfigFile } from '../config.js';
import { createLogger } from '../logger.js';

const USAGE = `Usage: touchpoint agent --config FILE

Runs the device agent: MQTT connection with presence, durable outbox,
diagnostics, signed commands and the loopback touch UI server.

Options:
  --config FILE   device config (JSON); see docs/device-agent.md
  --help          show this text

SIGINT or SIGTERM stop it cleanly (offline presence, outbox kept on disk).
Exit codes: 0 stopped by a signal, 1 failed, 2 usage or config error.`;

/** Stop waits at most this long before the process is forced out. */
const STOP_GRACE_MS = 10_000;

export const agentCommand: CliCommand = {
  path: ['agent'],
  summary: 'Run the device agent (MQTT, outbox, diagnostics, signed commands, touch UI server)',
  usage: USAGE,
  async run(argv) {
    const configPath = parseCommandArgs({
      args: argv,
      options: { config: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }).values.config;
    if (!configPath) {
      console.error(`touchpoint agent: --config FILE is required\n\n${USAGE}`);
      return ExitCode.usage;
    }
    let config;
    try {
      config = loadConfigFile(configPath);
    } catch (err) {
      const code = (err as { code?: string }).code;
      console.error(`touchpoint agent: ${(err as Error).message}${code ? ` (${code})` : ''}`);
      return ExitCode.usage;
    }
    const logger = createLogger(`agent ${config.deviceId}`);
    const agent = await createAgent(config, { logger });
    await agent.start();
    await new Promise<void>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        logger.info(`${signal} received; stopping`);
        setTimeout(() => {
          logger.error('stop took too long; exiting', { code: 'INTERNAL' });
          process.exit(ExitCode.failure);
        }, STOP_GRACE_MS).unref();
        agent.stop().then(resolve, (err: unknown) => {
          logger.error('stop failed', { error: (err as Error).message });
          resolve();
        });
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    return ExitCode.ok;
  },
};
