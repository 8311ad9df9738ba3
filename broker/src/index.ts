import type { CliCommand } from '@touchpoint/protocol';
import { cliCommands } from './cli/commands.js';

export { startBroker, type RunningBroker } from './start-broker.js';
export { startApi, type ApiOptions, type RunningApi } from './api/start-api.js';
export { startEngineAuth, type EngineAuthOptions, type RunningEngineAuth } from './engine-auth/start-engine-auth.js';
export { engineAuthConfig } from './engine-auth/rabbitmq-config.js';
export { deviceTrust } from './fleet/signing-key.js';
export type { BrokerOptions, BrokerLimits } from './options.js';
export type { SimulatorBackend } from './simulator/simulator-routes.js';
export { DEFAULT_LIMITS } from './options.js';
export type { Fleet } from './fleet/fleet.js';
export { Receipts } from './fleet/receipts.js';
export type { StaffMember, StaffRole } from './fleet/staff.js';
export { roleAllows } from './fleet/staff.js';
export type { CommandRecord } from './fleet/commands.js';
export type { CaseRecord } from './fleet/cases.js';
export type { DeviceRow } from './fleet/devices.js';

/** `touchpoint` sub-commands this workspace provides. */
export const commands: CliCommand[] = cliCommands;
