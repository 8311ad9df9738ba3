import { UsageError } from '@touchpoint/protocol';

/**
 * A numeric option of the bridge and simulator commands; a value that is not a number in range is a
 * usage error (usage text, exit 2; issue 14), not a serial port opened at NaN baud.
 */
export function numberOption(
  value: string,
  flag: string,
  rule: { integer?: boolean; min: number; minExclusive?: boolean },
): number {
  const n = Number(value);
  const inRange = rule.minExclusive ? n > rule.min : n >= rule.min;
  if (value.trim() === '' || !Number.isFinite(n) || !inRange || (rule.integer && !Number.isInteger(n)))
    throw new UsageError(
      `${flag} must be ${rule.integer ? 'a whole number' : 'a number'} ${rule.minExclusive ? 'above' : 'of at least'} ${rule.min}, got ${JSON.stringify(value)}`,
    );
  return n;
}

/** Baud rates are whole numbers above zero. */
export const baudOption = (value: string): number =>
  numberOption(value, '--baud', { integer: true, min: 0, minExclusive: true });
