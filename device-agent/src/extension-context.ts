import type { EventBus, Listener } from './event-bus.js';

/** What the context needs from the MQTT connection: a subscription that hands back its removal. */
export interface Subscriber<H> {
  subscribe(topic: string, qos: 0 | 1 | 2, handler: H): () => void;
}

/**
 * Everything an extension hooks into while it runs: bus listeners, MQTT
 * message handlers, timers, local-server handlers, emitter listeners (through
 * `add`). Each is registered through the context, which keeps its removal; `dispose()` (run by
 * ExtensionBase when the extension stops) removes them all, newest first, so
 * no extension keeps its own unsubscribe list (issue 14, as zigbee2mqtt's
 * extensions do with `eventBus.removeListeners(this)`).
 */
export class ExtensionContext {
  private readonly disposers = new Set<() => void>();

  /** How many registrations are live (tests and diagnostics). */
  get size(): number {
    return this.disposers.size;
  }

  /** Keep any removal function (`localServer.handle(...)`, `route`, `onClient` return one). */
  add(...dispose: (() => void)[]): void {
    for (const d of dispose) this.disposers.add(d);
  }

  on<E extends object, K extends keyof E>(bus: EventBus<E>, event: K, listener: Listener<E[K]>): void {
    this.add(bus.on(event, listener));
  }

  subscribe<H>(connection: Subscriber<H>, topic: string, qos: 0 | 1 | 2, handler: H): void {
    this.add(connection.subscribe(topic, qos, handler));
  }

  every(ms: number, run: () => void): void {
    const timer = setInterval(run, ms);
    this.add(() => clearInterval(timer));
  }

  /** A one-shot timer (unref'd: it never keeps the process alive); returns its cancel function. */
  after(ms: number, run: () => void): () => void {
    const cancel = () => {
      clearTimeout(timer);
      this.disposers.delete(cancel);
    };
    const timer = setTimeout(() => {
      this.disposers.delete(cancel);
      run();
    }, ms);
    timer.unref();
    this.add(cancel);
    return cancel;
  }

  /** Removes everything registered so far, newest first. A removal that throws does not stop the others. */
  dispose(): void {
    const failures: unknown[] = [];
    const all = [...this.disposers].reverse();
    this.disposers.clear();
    for (const dispose of all) {
      try {
        dispose();
      } catch (err) {
        failures.push(err);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} listener(s) could not be removed`);
  }
}
