import { createLogger as createProtocolLogger, isLogLevel, type LogLevel, type Logger } from '@touchpoint/protocol';

export { silentLogger, type Logger } from '@touchpoint/protocol';

const envLevel = (): LogLevel =>
  isLogLevel(process.env.TOUCHPOINT_LOG_LEVEL) ? process.env.TOUCHPOINT_LOG_LEVEL : 'info';

/** Broker lines: info to stdout, warnings and errors to stderr. */
export function createLogger(name: string, minLevel: LogLevel = envLevel()): Logger {
  return createProtocolLogger(name, minLevel, (level, line) =>
    (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${line}\n`),
  );
}
