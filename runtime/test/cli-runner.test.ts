import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, ExitCode, TouchpointError, UsageError, type CliCommand } from '@touchpoint/protocol';
import { parseCommandArgs, runCommand } from '../src/index.js';

/** A command that parses `--count N` and fails the way it is told to. */
const demo: CliCommand = {
  path: ['demo', 'run'],
  summary: 'a test command',
  usage: 'Usage: touchpoint demo run [--count N] [--fail usage|known|crash]',
  async run(argv) {
    const { values } = parseCommandArgs({
      args: argv,
      options: { count: { type: 'string' }, fail: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    if (values.fail === 'usage') throw new UsageError('--count must be a number');
    if (values.fail === 'known') throw new TouchpointError(ErrorCode.NOT_FOUND, 'no such device');
    if (values.fail === 'crash') throw new Error('bug');
    console.log(`count ${values.count ?? '1'}`);
    return ExitCode.ok;
  },
};

describe('runCommand', () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void err.push(args.join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());

  it('runs the command and returns its exit code', async () => {
    expect(await runCommand(demo, ['--count', '3'])).toBe(ExitCode.ok);
    expect(out).toEqual(['count 3']);
  });

  it('prints the usage for --help without running the command', async () => {
    expect(await runCommand(demo, ['--help', '--fail', 'crash'])).toBe(ExitCode.ok);
    expect(out).toEqual([demo.usage]);
    expect(err).toEqual([]);
  });

  it('exits 2 with the message and the usage for an unknown option or a UsageError', async () => {
    expect(await runCommand(demo, ['--bogus'])).toBe(ExitCode.usage);
    expect(err[0]).toMatch(/^touchpoint demo run: .*--bogus[\s\S]*Usage: touchpoint demo run/);
    expect(await runCommand(demo, ['--fail', 'usage'])).toBe(ExitCode.usage);
    expect(err[1]).toBe(`touchpoint demo run: --count must be a number\n\n${demo.usage}`);
  });

  it('exits 1 with the message and its code for a TouchpointError, and the stack for anything else', async () => {
    expect(await runCommand(demo, ['--fail', 'known'])).toBe(ExitCode.failure);
    expect(err[0]).toBe('touchpoint demo run: no such device (NOT_FOUND)');
    expect(await runCommand(demo, ['--fail', 'crash'])).toBe(ExitCode.failure);
    expect(err[1]).toMatch(/^touchpoint demo run: Error: bug\n\s+at /);
  });
});
