import { Readable } from 'node:stream';
import type { Client, PublishPacket } from 'aedes';
import type { Counters } from '../counters.js';
import type { Logger } from '../logger.js';

/** The part of an aedes persistence that aedes' will sweep uses. */
export interface WillStore {
  streamWill(brokers?: Record<string, number>): Readable;
  delWill(client: { id: string; brokerId: string }): Promise<unknown>;
}

type AuthorizePublish = (client: Client | null, packet: PublishPacket, done: (error?: Error | null) => void) => void;

/** The answer to a stored will while the broker closes: not now. aedes then keeps the will stored. */
export class WillDeferred extends Error {
  constructor() {
    super('broker closing: stored will kept for the next run');
    this.name = 'WillDeferred';
  }
}

/** How long close waits for a sweep already under way; a stuck publish must not hold the close forever. */
const CLOSE_WAIT_MS = 5_000;

/**
 * aedes sweeps stored wills on a timer (aedes.js `_clearWills`: streamWill, then
 * per will authorizePublish with a null client, publish, delWill), and its close
 * only clears the timer: a sweep under way went on while the broker closed the
 * fleet database and the Level store, so the ACL threw (`hook.error.authorizePublish`)
 * or a refused, counted will was not deleted and was judged again on the next run.
 * A stored will is either judged by the ACL and deleted, or left stored for the
 * next run (issue 12 #3): once closing, a null-client publish is deferred before
 * it touches any store, and close waits for the wills already judged to be deleted.
 */
export class WillSweep {
  private closing = false;
  private readonly streams = new Set<Readable>();
  /** Client id → stored wills the ACL passed or diverted that aedes has not deleted yet. */
  private readonly judged = new Map<string, number>();
  private wake: (() => void) | undefined;

  constructor(
    private readonly counters: Counters,
    private readonly log: Logger,
  ) {}

  /** Wraps the store's streamWill and delWill to see when a sweep starts and ends. */
  track<P extends WillStore>(store: P): P {
    const streamWill = store.streamWill.bind(store);
    const delWill = store.delWill.bind(store);
    store.streamWill = (brokers) => {
      if (this.closing) return Readable.from([]);
      const stream = streamWill(brokers);
      this.streams.add(stream);
      stream.once('close', () => {
        this.streams.delete(stream);
        this.settle();
      });
      return stream;
    };
    store.delWill = (client) =>
      delWill(client).finally(() => {
        this.release(client.id);
      });
    return store;
  }

  /** Wraps authorizePublish: a null client (a stored will) is judged only while the broker is not closing. */
  guard(authorize: AuthorizePublish): AuthorizePublish {
    return (client, packet, done) => {
      if (client) return authorize(client, packet, done);
      const clientId = (packet as PublishPacket & { clientId?: unknown }).clientId;
      const key = typeof clientId === 'string' ? clientId : '';
      if (this.closing) {
        this.counters.inc('will.deferred');
        return done(new WillDeferred());
      }
      this.judged.set(key, (this.judged.get(key) ?? 0) + 1);
      authorize(client, packet, (err) => {
        // Refused with an error: aedes stops here and deletes nothing.
        if (err) this.release(key);
        done(err);
      });
    };
  }

  /** Defers every stored will from now on, then waits (bounded) for the sweep under way to finish. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.idle()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.counters.inc('will.sweep.close_timeout');
        this.log.warn('closing while the will sweep still runs', {
          code: 'INTERNAL',
          streams: this.streams.size,
          wills: [...this.judged.values()].reduce((a, b) => a + b, 0),
        });
        resolve();
      }, CLOSE_WAIT_MS);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  private release(clientId: string): void {
    const n = this.judged.get(clientId);
    if (n === undefined) return;
    if (n > 1) this.judged.set(clientId, n - 1);
    else this.judged.delete(clientId);
    this.settle();
  }

  private idle(): boolean {
    return this.streams.size === 0 && this.judged.size === 0;
  }

  private settle(): void {
    if (this.wake && this.idle()) this.wake();
  }
}
