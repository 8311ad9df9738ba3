import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, TouchpointError } from '@touchpoint/protocol';
import { ActionWaiters } from '../src/session/action-waiters.js';

// The bridge's pending MCU actions (split out of bridge.ts, issue 14): RUN_ACTION answers at once,
// progress and the outcome arrive later as events (docs/serial-protocol.md).

describe('ActionWaiters', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('forwards progress and resolves with the action.done outcome, once', async () => {
    const waiters = new ActionWaiters();
    const progress: number[] = [];
    const done = waiters.wait('descale', 10_000, (e) => progress.push(e.percent));
    expect(waiters.has('descale')).toBe(true);
    waiters.progress('descale', { percent: 40 });
    waiters.progress('other', { percent: 99 });
    waiters.done('descale', { ok: true, output: { litres: 1 } });
    waiters.done('descale', { ok: false, reason: 'late duplicate' });
    await expect(done).resolves.toEqual({ ok: true, output: { litres: 1 } });
    expect(progress).toEqual([40]);
    expect(waiters.has('descale')).toBe(false);
  });

  it('rejects with MCU_TIMEOUT when no outcome arrives within the budget', async () => {
    vi.useFakeTimers();
    const waiters = new ActionWaiters();
    const done = waiters.wait('descale', 5_000);
    const settled = done.catch((err: unknown) => err);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(waiters.has('descale')).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    const err = await settled;
    expect(err).toBeInstanceOf(TouchpointError);
    expect((err as TouchpointError).code).toBe(ErrorCode.MCU_TIMEOUT);
    expect(waiters.has('descale')).toBe(false);
  });

  it('rejects every pending action when the link goes down, and forget leaves the caller to settle', async () => {
    vi.useFakeTimers();
    const waiters = new ActionWaiters();
    const a = waiters.wait('a', 5_000).catch((err: unknown) => err);
    const b = waiters.wait('b', 5_000).catch((err: unknown) => err);
    const forgotten = waiters.wait('c', 5_000);
    waiters.forget('c');
    const down = new TouchpointError(ErrorCode.LINK_DOWN, 'serial link down');
    waiters.rejectAll(down);
    expect(await a).toBe(down);
    expect(await b).toBe(down);
    // A forgotten waiter's timer is cleared: nothing settles it, even after its budget.
    let settled = false;
    void forgotten.then(
      () => (settled = true),
      () => (settled = true),
    );
    await vi.advanceTimersByTimeAsync(10_000);
    expect(settled).toBe(false);
  });
});
