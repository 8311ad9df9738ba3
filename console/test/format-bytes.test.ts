import { describe, expect, it } from 'vitest';
import { formatBytes } from '../src/common/format-bytes.js';

describe('formatBytes (host memory and disk, issue 16)', () => {
  it('picks the decimal unit and writes the number as the locale does', () => {
    expect(formatBytes(512, 'en')).toBe('512 byte');
    expect(formatBytes(1_500, 'en')).toBe('1.5 kB');
    expect(formatBytes(8_000_000_000, 'en')).toBe('8 GB');
    expect(formatBytes(3_250_000_000, 'de')).toBe('3,3\u00a0GB');
    expect(formatBytes(123_400_000, 'en')).toBe('123 MB');
    expect(formatBytes(2_000_000_000_000_000, 'en')).toBe('2,000 TB');
  });
  it('reads a negative or non-finite size as 0', () => {
    expect(formatBytes(-5, 'en')).toBe('0 byte');
    expect(formatBytes(Number.NaN, 'en')).toBe('0 byte');
  });
});
