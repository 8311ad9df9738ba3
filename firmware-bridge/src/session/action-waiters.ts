import { ErrorCode, TouchpointError } from '@touchpoint/protocol';
import type { ActionOutcome } from '../bridge-types.js';

export type ActionProgress = (e: { percent: number; message?: string }) => void;

interface ActionWaiter {
  onProgress?: ActionProgress;
  resolve(outcome: ActionOutcome): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

/**
 * The MCU actions that were started and have not reported `action.done` yet, one per action name
 * (docs/serial-protocol.md: RUN_ACTION answers at once, progress and the outcome come as events).
 */
export class ActionWaiters {
  private readonly waiters = new Map<string, ActionWaiter>();

  has(name: string): boolean {
    return this.waiters.has(name);
  }

  /** Registers `name` and resolves with its `action.done`; rejects with MCU_TIMEOUT after `budgetMs`. */
  wait(name: string, budgetMs: number, onProgress?: ActionProgress): Promise<ActionOutcome> {
    return new Promise<ActionOutcome>((resolve, reject) => {
      const waiter: ActionWaiter = { resolve, reject, ...(onProgress ? { onProgress } : {}) };
      waiter.timer = setTimeout(() => {
        this.waiters.delete(name);
        reject(
          new TouchpointError(
            ErrorCode.MCU_TIMEOUT,
            `action "${name}" did not report completion within ${budgetMs} ms`,
          ),
        );
      }, budgetMs);
      this.waiters.set(name, waiter);
    });
  }

  progress(name: string, e: { percent: number; message?: string }): void {
    this.waiters.get(name)?.onProgress?.(e);
  }

  /** The action's outcome arrived: its waiter resolves. */
  done(name: string, outcome: ActionOutcome): void {
    this.finish(name)?.resolve(outcome);
  }

  /** Forgets the action without settling it (its request failed; the caller settles it). */
  forget(name: string): void {
    this.finish(name);
  }

  rejectAll(error: Error): void {
    for (const name of [...this.waiters.keys()]) this.finish(name)?.reject(error);
  }

  private finish(name: string): ActionWaiter | undefined {
    const waiter = this.waiters.get(name);
    if (waiter) {
      clearTimeout(waiter.timer);
      this.waiters.delete(name);
    }
    return waiter;
  }
}
