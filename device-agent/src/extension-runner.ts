import { ErrorCode, TouchpointError } from '@touchpoint/protocol';
import type { Extension } from './extension.js';
import type { Logger } from './logger.js';

/**
 * Starts the agent's extensions in order and stops the started ones in
 * reverse. A required extension that fails to start fails the agent's start
 * with its name in the message (the caller stops the ones already running); an
 * optional one is stopped again, logged, counted in `failed` and left out, and
 * the agent runs on without it (issue 14).
 */
export class ExtensionRunner {
  private running: Extension[] = [];
  private readonly failures = new Map<string, string>();

  constructor(
    private readonly extensions: readonly Extension[],
    private readonly logger: Logger,
  ) {}

  /** Optional extensions that failed their last start, by name, with the reason. */
  get failed(): ReadonlyMap<string, string> {
    return this.failures;
  }

  get started(): boolean {
    return this.running.length > 0;
  }

  async startAll(): Promise<void> {
    this.failures.clear();
    for (const extension of this.extensions) {
      try {
        await extension.start();
        this.running.push(extension);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        if (!extension.optional) {
          const code = err instanceof TouchpointError ? err.code : ErrorCode.INTERNAL;
          throw new TouchpointError(code, `the ${extension.name} extension failed to start: ${reason}`);
        }
        this.failures.set(extension.name, reason.slice(0, 256));
        this.logger.error(`optional extension ${extension.name} failed to start; the agent runs without it`, {
          code: ErrorCode.INTERNAL,
          extension: extension.name,
          error: reason,
          failedExtensions: this.failures.size,
        });
        await this.stopOne(extension);
      }
    }
  }

  async stopAll(): Promise<void> {
    for (const extension of this.running.splice(0).reverse()) await this.stopOne(extension);
  }

  private async stopOne(extension: Extension): Promise<void> {
    try {
      await extension.stop();
    } catch (err) {
      this.logger.error(`stopping ${extension.name} failed`, {
        code: ErrorCode.INTERNAL,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
}
