import type { Extension } from './extension.js';
import { ExtensionContext } from './extension-context.js';

/**
 * The base of the agent's extensions (zigbee2mqtt's Extension): a subclass
 * registers its listeners, subscriptions and timers through the context it
 * gets in `onStart` and never removes them itself; `stop()` runs `onStop` and
 * then removes every one of them, also when `onStart` failed half-way.
 */
export abstract class ExtensionBase implements Extension {
  abstract readonly name: string;
  /** An optional extension that fails to start is reported and left out; the agent runs on without it. */
  readonly optional: boolean = false;
  #context = new ExtensionContext();

  /** Live registrations (bus listeners, handlers, timers); 0 once stopped. */
  get registrations(): number {
    return this.#context.size;
  }

  async start(): Promise<void> {
    this.#context = new ExtensionContext();
    try {
      await this.onStart(this.#context);
    } catch (err) {
      this.#context.dispose();
      throw err;
    }
  }

  async stop(): Promise<void> {
    try {
      await this.onStop();
    } finally {
      this.#context.dispose();
    }
  }

  protected abstract onStart(context: ExtensionContext): Promise<void> | void;

  protected onStop(): Promise<void> | void {}
}
