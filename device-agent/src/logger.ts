/** A minimal structured logger (same shape as the broker's): every failure is logged with its named code. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function envLevel(): LogLevel {
  const value = process.env.TOUCHPOINT_LOG_LEVEL;
  return value === 'debug' || value === 'info' || value === 'warn' || value === 'error' ? value : 'info';
}

/** Log lines go to stderr, so stdout stays free for command output; journald picks up both. */
export function createLogger(name: string, minLevel: LogLevel = envLevel()): Logger {
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[minLevel]) return;
    const extra = fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
    process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${name}] ${message}${extra}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A logger that prefixes a component name, so one root logger serves every extension. */
export function childLogger(parent: Logger, component: string): Logger {
  const tag = (m: string) => `${component}: ${m}`;
  return {
    debug: (m, f) => parent.debug(tag(m), f),
    info: (m, f) => parent.info(tag(m), f),
    warn: (m, f) => parent.warn(tag(m), f),
    error: (m, f) => parent.error(tag(m), f),
  };
}
