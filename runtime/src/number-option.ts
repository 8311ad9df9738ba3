import { UsageError } from '@touchpoint/protocol';

/** What a numeric command-line option accepts. */
export interface NumberRule {
  /** A whole number only (ports, counts, milliseconds). */
  integer?: boolean;
  min?: number;
  /** `min` itself is refused (a speed or a baud rate of 0). */
  minExclusive?: boolean;
  max?: number;
  /** Says what the value is in the error, instead of the range ('a number of days (0 keeps it for ever)'). */
  what?: string;
}

/** Plain decimal numbers only: `Number()` would also take '0x10', '1e3', ' 5' and 'Infinity'. */
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)$/;

function describe(rule: NumberRule): string {
  if (rule.what !== undefined) return rule.what;
  const kind = rule.integer ? 'a whole number' : 'a number';
  const { min, max } = rule;
  if (min !== undefined && max !== undefined && !rule.minExclusive) return `${kind} from ${min} to ${max}`;
  const bounds = [
    min === undefined ? undefined : rule.minExclusive ? `above ${min}` : `of at least ${min}`,
    max === undefined ? undefined : `up to ${max}`,
  ].filter((part) => part !== undefined);
  return [kind, ...bounds].join(' ');
}

/**
 * The value of a numeric `touchpoint` option (port, count, rate, days). Anything that is not a plain
 * number within the rule is a UsageError naming the flag, the rule and the value, so the command prints
 * its usage and exits 2 (issue 14) instead of listening on port NaN or opening a serial port at NaN baud.
 */
export function numberOption(value: string, flag: string, rule: NumberRule = {}): number {
  const n = DECIMAL.test(value) ? Number(value) : Number.NaN;
  const fits =
    Number.isFinite(n) &&
    (!rule.integer || Number.isInteger(n)) &&
    (rule.min === undefined || (rule.minExclusive ? n > rule.min : n >= rule.min)) &&
    (rule.max === undefined || n <= rule.max);
  if (!fits) throw new UsageError(`${flag} must be ${describe(rule)}, got ${JSON.stringify(value)}`);
  return n;
}

/** A TCP port to listen on: 0 (any free port) to 65535. */
export const portOption = (value: string, flag: string): number =>
  numberOption(value, flag, { integer: true, min: 0, max: 65535 });
