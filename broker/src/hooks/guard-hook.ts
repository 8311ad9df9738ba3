import type { Counters } from '../counters.js';
import type { Logger } from '../logger.js';

type Callback = (...result: never[]) => void;

/**
 * Wraps an aedes hook (callback last) so that an unexpected exception in its
 * body becomes a refusal plus a logged, counted error. aedes calls hooks
 * without a try/catch, so a throw there would reach the process and take every
 * connection down with it. An async hook (one that reads the store, issue 15) is guarded the same
 * way: its rejection is the refusal. The callback is made call-once, so a hook that answered and
 * then threw is not answered twice.
 */
export function guardHook<A extends unknown[], D extends Callback>(
  name: string,
  counters: Counters,
  log: Logger,
  hook: (...args: [...A, D]) => void | Promise<void>,
  refusal: (err: Error) => Parameters<D>,
): (...args: [...A, D]) => void {
  return (...args) => {
    // Every PUBLISH passes here: the rest array is reused in place rather than copied.
    const last = args.length - 1;
    const done = args[last] as D;
    let answered = false;
    // Put in place without a name binding of its own: under tsx (how the broker runs) a closure bound to a
    // name costs a defineProperty for that name on every call (issue 13, docs/benchmarks.md).
    args[last] = ((...result: Parameters<D>) => {
      if (answered) return;
      answered = true;
      done(...result);
    }) as D;
    try {
      const pending = hook(...args);
      // Only an async hook returns a promise; the synchronous PUBLISH path makes no closure here.
      if (pending)
        pending.catch((thrown: unknown) => {
          if (!answered) (args[last] as D)(...refusal(failed(thrown, name, counters, log)));
        });
    } catch (thrown) {
      const err = failed(thrown, name, counters, log);
      if (!answered) (args[last] as D)(...refusal(err));
    }
  };
}

/** Counts and logs what a hook threw or rejected with, as the Error its refusal is made from. */
function failed(thrown: unknown, name: string, counters: Counters, log: Logger): Error {
  const err = thrown instanceof Error ? thrown : new Error(String(thrown));
  counters.inc(`hook.error.${name}`);
  log.error('hook failed; refused', { hook: name, code: 'INTERNAL', reason: err.message });
  return err;
}
