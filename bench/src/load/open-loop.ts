import { wallNow } from '../clock.js';

/**
 * Fires `count` requests at a fixed rate, open loop: the schedule never waits
 * for responses, and each request carries its *scheduled* time, so a stall
 * shows up in the latency of every request it delayed (no coordinated omission).
 */
export function runOpenLoop(
  rate: number,
  count: number,
  fire: (index: number, scheduledAt: number) => void,
): Promise<{ startedAt: number; lastFiredAt: number; maxLagMs: number }> {
  const interval = 1000 / rate;
  const startedAt = wallNow() + 20;
  let next = 0;
  let maxLagMs = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const now = wallNow();
      while (next < count && startedAt + next * interval <= now) {
        const scheduledAt = startedAt + next * interval;
        maxLagMs = Math.max(maxLagMs, now - scheduledAt);
        fire(next, scheduledAt);
        next++;
      }
      if (next >= count) {
        resolve({ startedAt, lastFiredAt: wallNow(), maxLagMs });
        return;
      }
      setTimeout(tick, Math.max(0, startedAt + next * interval - wallNow()));
    };
    setTimeout(tick, 20);
  });
}
