import type { CliCommand } from '@touchpoint/protocol';

/** `touchpoint demo`: the embedded demo, filled in as the parts land (issue 8). */
export const commands: CliCommand[] = [];
