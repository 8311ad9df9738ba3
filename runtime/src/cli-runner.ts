import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ExitCode, TouchpointError, UsageError, type CliCommand } from '@touchpoint/protocol';

/** `node:util` parseArgs for `touchpoint` commands (Node only): a bad option becomes a UsageError. */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * Runs one command the way every `touchpoint` entry point does (the dispatcher,
 * the agent bundle, the MCU simulator process): `--help` prints the usage, a
 * UsageError prints the message and the usage (exit 2), other errors their
 * message and code (exit 1). Returns the exit code.
 */
export async function runCommand(command: CliCommand, argv: string[]): Promise<number> {
  const name = `touchpoint ${command.path.join(' ')}`;
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(command.usage);
    return ExitCode.ok;
  }
  try {
    return await command.run(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${name}: ${err.message}\n\n${command.usage}`);
      return ExitCode.usage;
    }
    console.error(
      err instanceof TouchpointError
        ? `${name}: ${err.message} (${err.code})`
        : `${name}: ${(err as Error).stack ?? String(err)}`,
    );
    return ExitCode.failure;
  }
}
