import { SafeEventEmitter } from '@touchpoint/runtime';
import type { Logger } from './logger.js';

/**
 * A typed in-process event bus (zigbee2mqtt's eventBus): extensions talk only
 * through it. A listener that throws or rejects is logged and the other
 * listeners still run; one faulty extension never takes the agent down. The
 * catching is the runtime's SafeEventEmitter (issue 14: one home); this adds
 * the agent's shape: one payload per event, and `on` returns the unsubscribe.
 */
export type Listener<T> = (payload: T) => void | Promise<void>;

type AsArgs<Events> = { [K in keyof Events]: [payload: Events[K]] };

export class EventBus<Events extends object> {
  private readonly emitter: SafeEventEmitter<AsArgs<Events>>;

  constructor(logger: Logger) {
    this.emitter = new SafeEventEmitter<AsArgs<Events>>((event, err) =>
      logger.error('event listener failed', {
        code: 'INTERNAL',
        event,
        error: err instanceof Error ? err.message : String(err),
      }),
    );
  }

  /** Returns a function that removes the listener (calling it again does nothing). */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    return this.emitter.subscribe(event, listener);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    this.emitter.emit(event, payload);
  }

  listenerCount(event: keyof Events): number {
    return this.emitter.listenerCount(event);
  }
}
