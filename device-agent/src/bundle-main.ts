// Entry of the single-file agent bundle (device-agent/build.mjs): `node touchpoint-agent.mjs --config FILE`.
import { runCommand } from '@touchpoint/runtime';
import { agentCommand } from './cli/agent-command.js';

const argv = process.argv.slice(2);
process.exitCode = await runCommand(agentCommand, argv[0] === 'agent' ? argv.slice(1) : argv);
