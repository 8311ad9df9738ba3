import { ErrorCode, TouchpointError } from './errors.js';

/**
 * The shape of a `touchpoint` sub-command. Each workspace exports its own
 * commands; the `cli` workspace only dispatches, so no workspace depends on it.
 */
export interface CliCommand {
  /** Words that select the command, e.g. `['device', 'add']`. */
  path: readonly string[];
  summary: string;
  /** Full usage text for `--help`. */
  usage: string;
  /** Returns the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** Exit codes shared by every command. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
} as const;

/**
 * Wrong options or arguments. The dispatcher prints the message with the
 * command's usage and exits with ExitCode.usage, so every command reports a
 * usage error the same way.
 */
export class UsageError extends TouchpointError {
  constructor(message: string) {
    super(ErrorCode.SCHEMA_INVALID, message);
    this.name = 'UsageError';
  }
}
