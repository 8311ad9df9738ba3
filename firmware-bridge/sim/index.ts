// `@touchpoint/firmware-bridge/sim`: the virtual MCU, for tests, the demo, the bench and the CLI.
// An entry of its own so that the bridge entry, which the device agent bundles, stays free of it (issue 14).
import type { CliCommand } from '@touchpoint/protocol';
import { mcuSimCommand } from './cli.js';

export * from './config.js';
export * from './virtual-mcu.js';
export * from './sim-binding.js';
export * from './pty.js';
export * from './serial-wire.js';
export * from './control.js';
export * from './model.js';
export * from './start.js';

/** `touchpoint` sub-commands the simulator provides. */
export const commands: CliCommand[] = [mcuSimCommand];
