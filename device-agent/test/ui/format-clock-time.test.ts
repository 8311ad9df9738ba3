import { describe, expect, it } from 'vitest';
import { formatClockTime } from '../../ui/src/common/format-clock-time.js';

describe('formatClockTime (the "remote control allowed until" strip)', () => {
  it('writes hours and minutes as the locale does', () => {
    const at = new Date(2026, 11, 3, 14, 5).getTime(); // local time, as the touchscreen shows it
    expect(formatClockTime('de', at)).toBe('14:05');
    expect(formatClockTime('en-US', at)).toMatch(/^2:05\s?PM$/);
  });
});
