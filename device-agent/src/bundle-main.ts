// Entry of the single-file agent bundle (device-agent/build.mjs): `node touchpoint-agent.mjs --config FILE`.
import { TouchpointError } from '@touchpoint/protocol';
import { agentCommand } from './cli/agent-command.js';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(agentCommand.usage);
} else {
  try {
    process.exitCode = await agentCommand.run(argv[0] === 'agent' ? argv.slice(1) : argv);
  } catch (err) {
    console.error(err instanceof TouchpointError ? `touchpoint agent: ${err.message} (${err.code})` : (err as Error).stack);
    process.exitCode = 1;
  }
}
