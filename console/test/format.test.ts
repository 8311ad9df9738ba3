import { describe, expect, it } from 'vitest';
import { formatDuration } from '../src/common/format-duration.js';
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
    expect(formatShare(0.5)).toBe('50 %');
    expect(formatShare(2 / 3)).toBe('66.7 %');
  });
  it('formats absolute times with zero padding', () => {
    expect(formatTime(new Date(2025, 0, 2, 3, 4, 5).getTime())).toBe('2025-01-02 03:04:05');
  });
});
