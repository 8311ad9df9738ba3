import type { CliCommand } from '@touchpoint/protocol';

/** Commands that compose several workspaces (flows validate, demo, device init) live here. */
export const commands: CliCommand[] = [];
