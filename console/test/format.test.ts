import { describe, expect, it } from 'vitest';
import { formatDuration } from '../src/common/format-duration.js';
import { formatNumber } from '../src/common/format-number.js';
import { formatRelative } from '../src/common/format-relative.js';
import { formatShare } from '../src/common/format-share.js';
import { formatTime } from '../src/common/format-time.js';

describe('formatDuration', () => {
  it('reads naturally at every scale and never goes negative', () => {
    expect(formatDuration(-5)).toBe('0 s');
    expect(formatDuration(45_400)).toBe('45 s');
    expect(formatDuration(200_000)).toBe('3 min 20 s');
    expect(formatDuration(180_000)).toBe('3 min');
    expect(formatDuration(7_500_000)).toBe('2 h 5 min');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
  });
});

describe('formatRelative', () => {
  it('says never, just now, and ages', () => {
    expect(formatRelative(null, 0)).toBe('never');
    expect(formatRelative(1000, 5000)).toBe('just now');
    expect(formatRelative(0, 30_000)).toBe('30 s ago');
    expect(formatRelative(0, 5 * 60_000)).toBe('5 min ago');
    expect(formatRelative(0, 3 * 3_600_000)).toBe('3 h ago');
    expect(formatRelative(0, 72 * 3_600_000)).toBe('3 d ago');
  });
});

describe('formatShare and formatTime', () => {
  it('formats shares as percentages with a dash for none', () => {
    expect(formatShare(null)).toBe('—');
    expect(formatShare(0.5)).toBe('50%');
    expect(formatShare(2 / 3)).toBe('66.7%');
  });
  it('formats absolute times with the month spelled out and seconds', () => {
    // ICU versions differ in the space before AM (narrow no-break or plain).
    expect(formatTime(new Date(2025, 0, 2, 3, 4, 5).getTime()).replace(/\s/g, ' ')).toBe('Jan 2, 2025, 3:04:05 AM');
  });
});

// Issue 16: the console in German, with Intl for numbers, plurals and dates.
describe('the formatters in German', () => {
  it('write durations, ages, shares and times the German way', () => {
    expect(formatDuration(200_000, 'de')).toBe('3 Min. 20 s');
    expect(formatDuration(7_500_000, 'de')).toBe('2 Std. 5 Min.');
    expect(formatRelative(null, 0, 'de')).toBe('nie');
    expect(formatRelative(1000, 5000, 'de')).toBe('gerade eben');
    expect(formatRelative(0, 5 * 60_000, 'de')).toBe('vor 5 Min.');
    expect(formatRelative(0, 48 * 3_600_000, 'de')).toBe('vor 2 Tagen');
    expect(formatShare(2 / 3, 'de').replace(/\s/g, ' ')).toBe('66,7 %');
    expect(formatNumber(1234.56, 'de')).toBe('1.234,6');
    expect(formatNumber(5, 'de', 1)).toBe('5,0');
    expect(formatTime(new Date(2025, 0, 2, 3, 4, 5).getTime(), 'de')).toBe('02.01.2025, 03:04:05');
  });
});
