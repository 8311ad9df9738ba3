/**
 * One holder at a time, in arrival order. The SQLite store has one connection, and a transaction on it
 * spans awaits: without this, a second async caller's queries would run inside the first's transaction.
 */
export class Mutex {
  private waiting: (() => void)[] = [];
  private locked = false;

  /** True while a holder runs (or one is about to). */
  get held(): boolean {
    return this.locked;
  }

  /** Runs `fn` once every earlier holder has finished; the next one starts when `fn` settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.locked) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.locked = true;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      // Handed straight to the next waiter, so no newcomer slips in between.
      if (next) next();
      else this.locked = false;
    }
  }
}
