/** Told about each listener that threw or rejected; the emitter itself carries on. */
export type ListenerErrorHandler = (event: string, err: unknown) => void;

/** Event name -> the listener's arguments, as in Node's typed EventEmitter. */
export type EventMap<T> = Record<keyof T, unknown[]>;

type Listener<A extends unknown[]> = (...args: A) => unknown;
interface Entry {
  listener: Listener<never>;
  once: boolean;
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';

/**
 * A typed event emitter whose listeners cannot hurt the code that emits (zigbee2mqtt's eventBus,
 * DESIGN.md § 7): a listener that throws, or returns a promise that rejects, is reported to
 * `onListenerError`, and the listeners after it still run. The MCU bridge's serial pipeline, the
 * broker's ingest path and the agent's extensions emit through it (issue 14: three copies of this
 * loop before, one of which kept `once` listeners registered).
 *
 * on/once/off/emit/listenerCount behave as Node's EventEmitter's (listeners run synchronously, in
 * the order added; off removes the most recently added match), without its special 'error' event.
 */
export class SafeEventEmitter<Events extends EventMap<Events>> {
  private readonly entries = new Map<keyof Events, Entry[]>();

  constructor(private readonly onListenerError: ListenerErrorHandler) {}

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    return this.add(event, listener, false);
  }

  /** Runs `listener` on the next `event` only; it is removed before it runs. */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    return this.add(event, listener, true);
  }

  /**
   * `on`, returning the function that removes exactly this registration (calling it again does nothing):
   * the shape of the agent's EventBus, the touch UI server's onClient and a help session's subscribe.
   */
  subscribe<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const entry = this.push(event, listener, false);
    return () => void this.remove(event, entry);
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    const entry = this.entries.get(event)?.findLast((e) => e.listener === listener);
    if (entry) this.remove(event, entry);
    return this;
  }

  /** Calls every listener of `event`; returns whether there was one (as EventEmitter.emit). Never throws. */
  emit<K extends keyof Events>(event: K, ...args: Events[K]): boolean {
    const list = this.entries.get(event);
    if (!list) return false;
    // A snapshot: listeners added or removed while emitting take effect from the next emit.
    for (const entry of [...list]) {
      // A once listener runs at most once, also when a listener before it emits the same event again.
      if (entry.once && !this.remove(event, entry)) continue;
      try {
        const result = (entry.listener as Listener<Events[K]>)(...args);
        if (isThenable(result)) Promise.resolve(result).catch((err: unknown) => this.report(event, err));
      } catch (err) {
        this.report(event, err);
      }
    }
    return true;
  }

  listenerCount(event: keyof Events): number {
    return this.entries.get(event)?.length ?? 0;
  }

  private add<K extends keyof Events>(event: K, listener: Listener<Events[K]>, once: boolean): this {
    this.push(event, listener, once);
    return this;
  }

  private push<K extends keyof Events>(event: K, listener: Listener<Events[K]>, once: boolean): Entry {
    const entry: Entry = { listener: listener as Listener<never>, once };
    const list = this.entries.get(event) ?? [];
    list.push(entry);
    this.entries.set(event, list);
    return entry;
  }

  /** false when the entry was no longer registered. */
  private remove(event: keyof Events, entry: Entry): boolean {
    const list = this.entries.get(event);
    const at = list?.indexOf(entry) ?? -1;
    if (!list || at < 0) return false;
    list.splice(at, 1);
    if (list.length === 0) this.entries.delete(event);
    return true;
  }

  private report(event: keyof Events, err: unknown): void {
    try {
      this.onListenerError(String(event), err);
    } catch {
      // The reporter is the last line: a failing logger must not become the throw this class prevents.
    }
  }
}
