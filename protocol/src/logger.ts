/**
 * The one structured logger shape every process uses: a line per event, with
 * the named error code among its fields. Where lines go is the caller's choice
 * (the sink), so this stays free of I/O.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function isLogLevel(value: unknown): value is LogLevel {
  return value === 'debug' || value === 'info' || value === 'warn' || value === 'error';
}

/** Receives each formatted line. */
export type LogSink = (level: LogLevel, line: string) => void;

export function createLogger(name: string, minLevel: LogLevel, sink: LogSink): Logger {
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[minLevel]) return;
    const extra = fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
    sink(level, `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${name}] ${message}${extra}`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A logger that prefixes a component name, so one root logger serves every part of a process. */
export function childLogger(parent: Logger, component: string): Logger {
  const tag = (m: string) => `${component}: ${m}`;
  return {
    debug: (m, f) => parent.debug(tag(m), f),
    info: (m, f) => parent.info(tag(m), f),
    warn: (m, f) => parent.warn(tag(m), f),
    error: (m, f) => parent.error(tag(m), f),
  };
}
