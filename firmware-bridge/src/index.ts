import type { CliCommand } from '@touchpoint/protocol';
import { mcuSimCommand } from '../sim/cli.js';
import { callCommand } from './cli/call.js';
import { monitorCommand } from './cli/monitor.js';

export { createBridge, type ActionOutcome, type BridgeLogger, type BridgeOptions, type BridgeStats, type EventGap, type FirmwareBridge, type McuEvent } from './bridge.js';
export * from './frame/index.js';
export { Waitress, type WaitressOptions, type WaitressStats } from './session/waitress.js';
export { SerialTransport, type TransportOptions } from './transport/serial-transport.js';
export { describeOpenError } from './transport/port-errors.js';
export {
  startVirtualMcu,
  openPtyPair,
  createSimBinding,
  loadModel,
  VirtualMcu,
  CONTROL_HELP,
  simConfig,
  type StartVirtualMcuOptions,
  type VirtualMcuHandle,
  type PtyPair,
  type SimConfig,
  type FaultConfig,
} from '../sim/index.js';

/** `touchpoint` sub-commands this workspace provides. */
export const commands: CliCommand[] = [mcuSimCommand, monitorCommand, callCommand];
