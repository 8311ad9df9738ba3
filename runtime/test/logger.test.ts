import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProcessLogger, envLogLevel, stderrSink, stdioSink } from '../src/index.js';

describe('process logger sinks', () => {
  afterEach(() => vi.restoreAllMocks());

  function capture(): { out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
    return { out, err };
  }

  it('stdioSink sends info to stdout and warnings and errors to stderr, one line each', () => {
    const { out, err } = capture();
    const log = createProcessLogger('broker', stdioSink, 'debug');
    log.info('listening', { port: 1883 });
    log.warn('slow');
    log.error('down', { code: 'INTERNAL' });
    vi.restoreAllMocks();
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^\S+Z INFO {2}\[broker\] listening \{"port":1883\}\n$/);
    expect(err.map((l) => l.replace(/^\S+ /, ''))).toEqual([
      'WARN  [broker] slow\n',
      'ERROR [broker] down {"code":"INTERNAL"}\n',
    ]);
  });

  it('stderrSink keeps stdout free and drops lines below the level', () => {
    const { out, err } = capture();
    const log = createProcessLogger('agent', stderrSink, 'warn');
    log.info('quiet');
    log.warn('loud');
    vi.restoreAllMocks();
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain('[agent] loud');
  });

  it('reads the level from TOUCHPOINT_LOG_LEVEL, info when unset or unknown', () => {
    expect(envLogLevel({ TOUCHPOINT_LOG_LEVEL: 'debug' })).toBe('debug');
    expect(envLogLevel({ TOUCHPOINT_LOG_LEVEL: 'verbose' })).toBe('info');
    expect(envLogLevel({})).toBe('info');
  });
});
