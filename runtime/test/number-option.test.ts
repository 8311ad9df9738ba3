import { describe, expect, it } from 'vitest';
import { UsageError } from '@touchpoint/protocol';
import { numberOption, portOption } from '../src/index.js';

/** The UsageError a bad value raises, or a failure naming the value that was let through. */
function refusal(run: () => number): UsageError {
  let value: number;
  try {
    value = run();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error(`expected a UsageError, got the value ${value}`);
}

describe('numberOption', () => {
  it('returns plain decimal numbers within the rule', () => {
    expect(numberOption('0.1', '--faults-per-minute', { min: 0 })).toBe(0.1);
    expect(numberOption('.5', '--speed', { min: 0, minExclusive: true })).toBe(0.5);
    expect(numberOption('200', '--devices', { integer: true, min: 0, max: 200 })).toBe(200);
    expect(numberOption('-3', '--offset')).toBe(-3);
  });

  it('refuses what Number() would quietly take: empty, spaces, hex, exponents, Infinity', () => {
    for (const value of ['', ' ', ' 5', '0x10', '1e3', 'Infinity', 'NaN', '5px', '1.2.3'])
      expect(refusal(() => numberOption(value, '--rounds')).message).toBe(
        `--rounds must be a number, got ${JSON.stringify(value)}`,
      );
  });

  it('names the flag, the rule and the value it refused', () => {
    expect(refusal(() => numberOption('999', '--devices', { integer: true, min: 0, max: 200 })).message).toBe(
      '--devices must be a whole number from 0 to 200, got "999"',
    );
    expect(refusal(() => numberOption('2.5', '--devices', { integer: true, min: 0, max: 200 })).message).toBe(
      '--devices must be a whole number from 0 to 200, got "2.5"',
    );
    expect(refusal(() => numberOption('0', '--baud', { integer: true, min: 0, minExclusive: true })).message).toBe(
      '--baud must be a whole number above 0, got "0"',
    );
    expect(refusal(() => numberOption('-1', '--grace-hours', { min: 0 })).message).toBe(
      '--grace-hours must be a number of at least 0, got "-1"',
    );
    expect(refusal(() => numberOption('11', '--level', { max: 10 })).message).toBe(
      '--level must be a number up to 10, got "11"',
    );
    expect(
      refusal(() => numberOption('forever', '--events-retention-days', { min: 0, what: 'a number of days' })).message,
    ).toBe('--events-retention-days must be a number of days, got "forever"');
  });
});

describe('portOption', () => {
  it('takes 0 (any free port) to 65535 and refuses the rest', () => {
    expect(portOption('0', '--http-port')).toBe(0);
    expect(portOption('65535', '--http-port')).toBe(65535);
    for (const value of ['65536', '-1', '80.5', 'eighty'])
      expect(refusal(() => portOption(value, '--http-port')).message).toBe(
        `--http-port must be a whole number from 0 to 65535, got ${JSON.stringify(value)}`,
      );
  });
});
