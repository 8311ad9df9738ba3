// Process entry for the virtual MCU (`node --import tsx firmware-bridge/sim/main.ts --profile ... --pty`),
// the same as `touchpoint mcu-sim` without loading the other workspaces.
import { mcuSimCommand } from './cli.js';

process.exitCode = await mcuSimCommand.run(process.argv.slice(2));
process.stdin.destroy();
