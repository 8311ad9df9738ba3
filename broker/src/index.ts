import type { CliCommand } from '@touchpoint/protocol';

/** `touchpoint` sub-commands this workspace provides. */
export const commands: CliCommand[] = [];
