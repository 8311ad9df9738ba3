import { describe, expect, it } from 'vitest';
import { SafeEventEmitter } from '../src/index.js';

interface Events {
  tick: [n: number];
  link: [state: 'up' | 'down', reason?: string];
}

function recording(): { emitter: SafeEventEmitter<Events>; failures: { event: string; message: string }[] } {
  const failures: { event: string; message: string }[] = [];
  const emitter = new SafeEventEmitter<Events>((event, err) =>
    failures.push({ event, message: err instanceof Error ? err.message : String(err) }),
  );
  return { emitter, failures };
}

/** Resolves once every promise settled so far has run its handlers (a rejection is reported in a microtask). */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SafeEventEmitter', () => {
  it('reports a listener that throws and still runs the listeners after it, in order', () => {
    const { emitter, failures } = recording();
    const seen: string[] = [];
    emitter.on('tick', (n) => void seen.push(`a${n}`));
    emitter.on('tick', () => {
      throw new Error('boom');
    });
    emitter.on('tick', (n) => void seen.push(`c${n}`));

    expect(() => emitter.emit('tick', 1)).not.toThrow();
    expect(seen).toEqual(['a1', 'c1']);
    expect(failures).toEqual([{ event: 'tick', message: 'boom' }]);
  });

  it('reports a listener whose promise rejects instead of leaving an unhandled rejection', async () => {
    const { emitter, failures } = recording();
    emitter.on('link', async (state) => {
      await Promise.resolve();
      throw new Error(`async ${state}`);
    });
    emitter.emit('link', 'down', 'unplugged');
    await settled();
    expect(failures).toEqual([{ event: 'link', message: 'async down' }]);
  });

  it('passes every argument and says whether anyone listened', () => {
    const { emitter } = recording();
    expect(emitter.emit('link', 'up')).toBe(false);
    const calls: unknown[][] = [];
    emitter.on('link', (...args) => void calls.push(args));
    expect(emitter.emit('link', 'down', 'cable')).toBe(true);
    expect(calls).toEqual([['down', 'cable']]);
  });

  it('removes a once listener before it runs, also when a listener before it emits again', () => {
    const { emitter } = recording();
    const seen: number[] = [];
    emitter.on('tick', (n) => {
      if (n === 1) emitter.emit('tick', 2);
    });
    emitter.once('tick', (n) => void seen.push(n));
    emitter.emit('tick', 1);
    emitter.emit('tick', 3);
    expect(seen).toEqual([2]);
    expect(emitter.listenerCount('tick')).toBe(1);
  });

  it('off removes one registration, the most recent, and listeners added while emitting run from the next emit', () => {
    const { emitter } = recording();
    const seen: string[] = [];
    const twice = (n: number) => void seen.push(`twice${n}`);
    emitter.on('tick', twice);
    emitter.on('tick', twice);
    emitter.off('tick', twice);
    expect(emitter.listenerCount('tick')).toBe(1);

    emitter.on('tick', () => void emitter.on('tick', (n) => void seen.push(`late${n}`)));
    emitter.emit('tick', 1);
    expect(seen).toEqual(['twice1']);
    emitter.emit('tick', 2);
    expect(seen).toEqual(['twice1', 'twice2', 'late2']);

    emitter.off('tick', twice);
    emitter.off('tick', twice); // not registered any more: nothing happens
    expect(emitter.listenerCount('tick')).toBe(3);
  });

  it('subscribe returns an unsubscribe that removes that registration only, once', () => {
    const { emitter } = recording();
    const seen: string[] = [];
    const same = (n: number) => void seen.push(`same${n}`);
    const first = emitter.subscribe('tick', same);
    emitter.subscribe('tick', same);
    emitter.on('tick', (n) => void seen.push(`other${n}`));

    first();
    first(); // already removed: the second registration of the same function stays
    emitter.emit('tick', 1);
    expect(seen).toEqual(['same1', 'other1']);
    expect(emitter.listenerCount('tick')).toBe(2);
  });

  it('survives a reporter that throws', () => {
    const emitter = new SafeEventEmitter<Events>(() => {
      throw new Error('the logger is broken too');
    });
    const seen: number[] = [];
    emitter.on('tick', () => {
      throw new Error('boom');
    });
    emitter.on('tick', (n) => void seen.push(n));
    expect(() => emitter.emit('tick', 5)).not.toThrow();
    expect(seen).toEqual([5]);
  });
});
