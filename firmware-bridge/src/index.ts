import type { CliCommand } from '@touchpoint/protocol';
import { callCommand } from './cli/call.js';
import { monitorCommand } from './cli/monitor.js';

export { createBridge } from './bridge.js';
// bridge-types.ts holds exactly the bridge's public types.
export type * from './bridge-types.js';
export type { McuEvent } from './commands/events.js';
export * from './frame/index.js';
export { Waitress, type WaitressOptions, type WaitressStats } from './session/waitress.js';
export { SerialTransport, type TransportOptions } from './transport/serial-transport.js';
export { describeOpenError } from './transport/port-errors.js';

// The virtual MCU is not exported here: this entry is bundled into the device agent, which never
// runs the simulator. Tests, the demo and the CLI import it from '@touchpoint/firmware-bridge/sim'.

/** `touchpoint` sub-commands of the bridge (`mcu-sim` comes with the simulator's entry). */
export const commands: CliCommand[] = [monitorCommand, callCommand];
