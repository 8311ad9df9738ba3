import type { CliCommand } from '@touchpoint/protocol';
import { demo } from './demo/demo-command.js';
import { demoSim } from './demo/demo-sim-command.js';
import { deviceInit } from './device-init/device-init-command.js';
import { flowsPropose } from './flows-propose.js';
import { flowsValidate } from './flows-validate.js';

/** Commands that compose several workspaces (flows validate, demo, demo sim, device init) live here. */
export const commands: CliCommand[] = [demo, demoSim, flowsValidate, flowsPropose, deviceInit];
