import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExitCode } from '@touchpoint/protocol';
import { main } from '../src/main.js';

describe('touchpoint --help', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  // The simulator's command comes from its own entry ('@touchpoint/firmware-bridge/sim', issue 14);
  // the overview must still list it next to the bridge's own commands.
  it('lists the simulator and bridge commands', async () => {
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(args.join(' '));
    });
    expect(await main(['--help'])).toBe(ExitCode.ok);
    const commandLines = printed
      .join('\n')
      .split('\n')
      .map((line) => line.trim().split(/\s{2,}/)[0]);
    expect(commandLines).toEqual(expect.arrayContaining(['mcu-sim', 'bridge monitor', 'bridge call']));
  });
});
