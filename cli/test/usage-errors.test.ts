import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExitCode } from '@touchpoint/protocol';
import { main } from '../src/main.js';

// Issue 14: every `touchpoint` command prints its usage and exits 2 on a usage error
// (unknown flag, missing argument, bad value); `touchpoint broker --bogus` used to exit 1 without it.

const bin = fileURLToPath(new URL('../bin/touchpoint.js', import.meta.url));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The real binary as a child process; the whole run is bounded so a command that starts instead of refusing fails the test. */
function runCli(args: string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`touchpoint ${args.join(' ')} did not exit within ${timeoutMs} ms: ${stdout}${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Every command path the overview lists, e.g. ['device', 'add']. */
async function listedCommands(): Promise<string[][]> {
  const printed: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    printed.push(args.join(' '));
  });
  await main(['--help']);
  log.mockRestore();
  const lines = printed.join('\n').split('\n');
  const start = lines.indexOf('Commands:') + 1;
  const end = lines.indexOf('', start);
  return lines.slice(start, end).map((line) =>
    line
      .trim()
      .split(/\s{2,}/)[0]!
      .split(' '),
  );
}

describe('touchpoint usage errors', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('every command answers an unknown flag with its usage and exit 2', async () => {
    const commands = await listedCommands();
    expect(commands.length).toBeGreaterThan(20);
    for (const path of commands) {
      const errors: string[] = [];
      vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
        errors.push(args.join(' '));
      });
      vi.spyOn(console, 'log').mockImplementation(() => undefined);
      const code = await main([...path, '--bogus']);
      vi.restoreAllMocks();
      const text = errors.join('\n');
      expect({ path: path.join(' '), code }).toEqual({ path: path.join(' '), code: ExitCode.usage });
      expect(text, path.join(' ')).toContain(`touchpoint ${path.join(' ')}: Unknown option '--bogus'`);
      expect(text, path.join(' ')).toContain(`Usage: touchpoint ${path.join(' ')}`);
    }
  });

  it('the real binary prints the usage and exits 2 for unknown flags, missing arguments and bad values', async () => {
    const cases: { args: string[]; message: string; usage: string }[] = [
      { args: ['broker', '--bogus'], message: "Unknown option '--bogus'", usage: 'Usage: touchpoint broker' },
      {
        args: ['broker', '--http-port', 'eighty'],
        message: '--http-port must be a whole number from 0 to 65535, got "eighty"',
        usage: 'Usage: touchpoint broker',
      },
      {
        args: ['broker', '--events-retention-days', 'forever'],
        message: '--events-retention-days must be a number of days',
        usage: 'Usage: touchpoint broker',
      },
      { args: ['device', 'add', '--model', 'x'], message: 'give one device ID', usage: 'Usage: touchpoint device add' },
      {
        args: ['staff', 'add', 'ann', '--role', 'boss'],
        message: '--role must be viewer, agent or admin, got boss',
        usage: 'Usage: touchpoint staff add',
      },
      { args: ['device', 'init'], message: 'give one MODEL', usage: 'Usage: touchpoint device init' },
      {
        args: ['demo', '--devices', '999'],
        message: '--devices must be a whole number from 0 to 200, got "999"',
        usage: 'Usage: touchpoint demo',
      },
      { args: ['flows', 'validate'], message: 'expected exactly one DIR', usage: 'Usage: touchpoint flows validate' },
      { args: ['agent'], message: '--config FILE is required', usage: 'Usage: touchpoint agent' },
      {
        args: ['bridge', 'call', '--port', '/dev/null', '--baud', 'fast', 'info'],
        message: '--baud must be a whole number above 0, got "fast"',
        usage: 'Usage: touchpoint bridge call',
      },
      {
        args: ['mcu-sim', '--profile', 'examples/coffee-machine', '--pty', '--speed', '0'],
        message: '--speed must be a number above 0, got "0"',
        usage: 'Usage: touchpoint mcu-sim',
      },
    ];
    const runs = await Promise.all(cases.map((c) => runCli(c.args)));
    runs.forEach((run, i) => {
      const { args, message, usage } = cases[i]!;
      const name = `touchpoint ${args.join(' ')}`;
      expect(run.status, `${name}: ${run.stderr}`).toBe(ExitCode.usage);
      expect(run.stderr, name).toContain(message);
      expect(run.stderr, name).toContain(usage);
      expect(run.stdout, name).toBe('');
    });
  }, 180_000);
});
