import type { LogLevel, Logger } from '@touchpoint/protocol';
import { createProcessLogger, stdioSink } from '@touchpoint/runtime';

export { silentLogger, type Logger } from '@touchpoint/protocol';

/** Broker lines: info to stdout, warnings and errors to stderr. Level: TOUCHPOINT_LOG_LEVEL. */
export function createLogger(name: string, minLevel?: LogLevel): Logger {
  return createProcessLogger(name, stdioSink, minLevel);
}
