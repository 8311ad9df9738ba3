import { PerformanceObserver, monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * Event-loop stalls and garbage-collection pauses of a Node broker during one measurement window
 * (issue 13, command round trip): a request that lands while the loop is blocked waits for the
 * whole block, so the loop's worst delays and the longest GC pauses are where a p99 comes from.
 */
export interface LoopStalls {
  /** The event loop's scheduling delay (perf_hooks, 1 ms resolution): p99 and worst, ms. */
  loopP99Ms: number;
  loopMaxMs: number;
  /** GC pauses on the main thread in the window: count, total and longest, ms. */
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
}

let histogram: IntervalHistogram | undefined;
let observer: PerformanceObserver | undefined;
let gc = { count: 0, totalMs: 0, maxMs: 0 };

export const loopStalls = {
  stallsStart(): void {
    histogram?.disable();
    observer?.disconnect();
    gc = { count: 0, totalMs: 0, maxMs: 0 };
    histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        gc.count++;
        gc.totalMs += entry.duration;
        gc.maxMs = Math.max(gc.maxMs, entry.duration);
      }
    });
    observer.observe({ entryTypes: ['gc'] });
  },
  stallsStop(): LoopStalls {
    if (!histogram || !observer) throw new Error('stallsStart was not called');
    histogram.disable();
    observer.disconnect();
    // The histogram counts in nanoseconds; its resolution adds up to 1 ms to every reading.
    const out: LoopStalls = {
      loopP99Ms: histogram.percentile(99) / 1e6,
      loopMaxMs: histogram.max / 1e6,
      gcCount: gc.count,
      gcTotalMs: gc.totalMs,
      gcMaxMs: gc.maxMs,
    };
    histogram = undefined;
    observer = undefined;
    return out;
  },
};
