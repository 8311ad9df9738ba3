/**
 * At most one log line per key and window: a device that floods refused
 * messages is counted in full (the counters), but its log lines are sampled,
 * each carrying how many were left out since the last one.
 */
export class LogThrottle {
  private readonly windows = new Map<string, { until: number; suppressed: number }>();

  constructor(
    private readonly windowMs = 10_000,
    private readonly maxKeys = 10_000,
  ) {}

  /** Returns the number of lines suppressed before this one, or undefined when this line is suppressed too. */
  admit(key: string, now = Date.now()): number | undefined {
    const window = this.windows.get(key);
    if (window && now < window.until) {
      window.suppressed++;
      return undefined;
    }
    if (!window && this.windows.size >= this.maxKeys) this.prune(now);
    this.windows.set(key, { until: now + this.windowMs, suppressed: 0 });
    return window?.suppressed ?? 0;
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) if (now >= window.until) this.windows.delete(key);
    // Still full of live windows: forget the oldest rather than grow without bound.
    if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value as string);
  }
}
