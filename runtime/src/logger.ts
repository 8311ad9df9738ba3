import { createLogger, isLogLevel, type LogLevel, type LogSink, type Logger } from '@touchpoint/protocol';

/**
 * Where a Node process's log lines go. protocol formats the lines (createLogger) and stays free of
 * I/O; the sinks that write them live here, once, for the broker, the agent and the bridge (issue 14).
 */

/** The level set in TOUCHPOINT_LOG_LEVEL; 'info' when it is unset or not a level. */
export function envLogLevel(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const value = env.TOUCHPOINT_LOG_LEVEL;
  return isLogLevel(value) ? value : 'info';
}

/** Every line to stderr, so stdout stays free for a command's own output (the agent, `touchpoint bridge call`). */
export const stderrSink: LogSink = (_level, line) => {
  process.stderr.write(`${line}\n`);
};

/** A server's lines: debug and info to stdout, warnings and errors to stderr (the broker). */
export const stdioSink: LogSink = (level, line) => {
  (level === 'warn' || level === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
};

/** A process logger: protocol's line format into `sink`, from `minLevel` (default: TOUCHPOINT_LOG_LEVEL, else info). */
export function createProcessLogger(name: string, sink: LogSink, minLevel: LogLevel = envLogLevel()): Logger {
  return createLogger(name, minLevel, sink);
}
