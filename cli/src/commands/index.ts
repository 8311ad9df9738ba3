import type { CliCommand } from '@touchpoint/protocol';
import { demo } from './demo/demo-command.js';
import { deviceInit } from './device-init/device-init-command.js';
import { flowsValidate } from './flows-validate.js';

/** Commands that compose several workspaces (flows validate, demo, device init) live here. */
export const commands: CliCommand[] = [demo, flowsValidate, deviceInit];
