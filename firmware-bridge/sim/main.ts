// Process entry for the virtual MCU (`node --import tsx firmware-bridge/sim/main.ts --profile ... --pty`),
// the same as `touchpoint mcu-sim` without loading the other workspaces.
import { runCommand } from '@touchpoint/runtime';
import { mcuSimCommand } from './cli.js';

process.exitCode = await runCommand(mcuSimCommand, process.argv.slice(2));
process.stdin.destroy();
