import type { LogLevel, Logger } from '@touchpoint/protocol';
import { createProcessLogger, stderrSink } from '@touchpoint/runtime';

export { childLogger, silentLogger, type Logger, type LogLevel } from '@touchpoint/protocol';

/** Agent lines all go to stderr, so stdout stays free for command output; journald picks up both. Level: TOUCHPOINT_LOG_LEVEL. */
export function createLogger(name: string, minLevel?: LogLevel): Logger {
  return createProcessLogger(name, stderrSink, minLevel);
}
