import { numberOption } from '@touchpoint/runtime';

/** `--baud` of the bridge and simulator commands: a whole number above zero, never a port opened at NaN baud (issue 14). */
export const baudOption = (value: string): number =>
  numberOption(value, '--baud', { integer: true, min: 0, minExclusive: true });
