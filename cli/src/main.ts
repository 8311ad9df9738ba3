import { ExitCode, type CliCommand } from '@touchpoint/protocol';
import { runCommand } from '@touchpoint/runtime';
import { commands as brokerCommands } from '@touchpoint/broker';
import { commands as agentCommands } from '@touchpoint/device-agent';
import { commands as bridgeCommands } from '@touchpoint/firmware-bridge';
import { commands as simCommands } from '@touchpoint/firmware-bridge/sim';
import { commands as composedCommands } from './commands/index.js';

const all: CliCommand[] = [...brokerCommands, ...agentCommands, ...simCommands, ...bridgeCommands, ...composedCommands];

function overview(): string {
  const width = Math.max(...all.map((c) => c.path.join(' ').length), 10);
  const lines = all.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return [
    'Usage: touchpoint <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `touchpoint <command> --help` for the options of one command.',
  ].join('\n');
}

/** Picks the command whose path matches the longest prefix of argv. */
function resolve(argv: string[]): { command: CliCommand; rest: string[] } | undefined {
  let best: CliCommand | undefined;
  for (const command of all) {
    const matches = command.path.every((word, i) => argv[i] === word);
    if (matches && (!best || command.path.length > best.path.length)) best = command;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : undefined;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(overview());
    return argv.length === 0 ? ExitCode.usage : ExitCode.ok;
  }
  const found = resolve(argv);
  if (!found) {
    console.error(`touchpoint: unknown command "${argv.join(' ')}"\n`);
    console.error(overview());
    return ExitCode.usage;
  }
  return runCommand(found.command, found.rest);
}
