import type { Logger, LogLevel } from '@touchpoint/protocol';

export interface LogRingEntry {
  at: number;
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown> | undefined;
}

/**
 * The agent's recent log lines in memory, for support bundles (issue 17): the newest `capacity` lines at info
 * level and above (debug lines would push out the ones that matter). Nothing is written anywhere; the lines
 * are redacted when a bundle is built (redact.ts).
 */
export class LogRing {
  private readonly lines: LogRingEntry[] = [];
  constructor(readonly capacity = 1_000) {}

  push(entry: LogRingEntry): void {
    if (entry.level === 'debug') return;
    this.lines.push(entry);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  /** Lines in `from`..`to` (ms since epoch), oldest first. */
  between(from: number, to: number): LogRingEntry[] {
    return this.lines.filter((l) => l.at >= from && l.at <= to);
  }
}

/** A logger that also keeps each line in `ring`; the agent's root logger, so every child logger's lines land there. */
export function recordingLogger(inner: Logger, ring: LogRing, now: () => number = Date.now): Logger {
  const log = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    ring.push({ at: now(), level, message, fields });
    inner[level](message, fields);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
