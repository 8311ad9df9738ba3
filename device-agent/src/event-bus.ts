import type { Logger } from './logger.js';

/**
 * A typed in-process event bus (zigbee2mqtt's eventBus): extensions talk only
 * through it. A listener that throws or rejects is logged and the other
 * listeners still run; one faulty extension never takes the agent down.
 */
export type Listener<T> = (payload: T) => void | Promise<void>;

export class EventBus<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  constructor(private readonly logger: Logger) {}

  /** Returns a function that removes the listener. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => {
      set.delete(listener as Listener<never>);
    };
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        const result = (listener as Listener<Events[K]>)(payload);
        if (result && typeof (result as Promise<void>).catch === 'function') {
          (result as Promise<void>).catch((err: unknown) => this.report(event, err));
        }
      } catch (err) {
        this.report(event, err);
      }
    }
  }

  listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  private report(event: keyof Events, err: unknown): void {
    this.logger.error('event listener failed', {
      code: 'INTERNAL',
      event: String(event),
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
