import { createLogger as createProtocolLogger, isLogLevel, type LogLevel, type Logger } from '@touchpoint/protocol';

export { childLogger, silentLogger, type Logger, type LogLevel } from '@touchpoint/protocol';

const envLevel = (): LogLevel =>
  isLogLevel(process.env.TOUCHPOINT_LOG_LEVEL) ? process.env.TOUCHPOINT_LOG_LEVEL : 'info';

/** Agent lines all go to stderr, so stdout stays free for command output; journald picks up both. */
export function createLogger(name: string, minLevel: LogLevel = envLevel()): Logger {
  return createProtocolLogger(name, minLevel, (_level, line) => process.stderr.write(`${line}\n`));
}
