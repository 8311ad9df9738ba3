import { describe, expect, it } from 'vitest';
import { formatDateTime } from '../../ui/src/common/format-date-time.js';

describe('formatDateTime (the support history)', () => {
  it('writes the date and the time of day as the locale does', () => {
    const at = new Date(2026, 11, 3, 14, 5).getTime(); // local time, as the touchscreen shows it
    expect(formatDateTime('de', at)).toBe('03.12.26, 14:05');
    expect(formatDateTime('en-US', at)).toMatch(/^12\/3\/26, 2:05\s?PM$/);
  });
});
