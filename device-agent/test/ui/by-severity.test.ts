import { describe, expect, it } from 'vitest';
import { bySeverity, type Severity } from '../../ui/src/common/by-severity.js';

describe('bySeverity (banners and errors on the touchscreen, issue 16)', () => {
  it('puts critical before warning before info, unknown with the warnings, and keeps the order of equals', () => {
    const items: [string, Severity | undefined][] = [
      ['E02', 'info'],
      ['E05', 'warning'],
      ['E99', undefined],
      ['E03', 'critical'],
      ['E01', 'warning'],
      ['E07', 'critical'],
    ];
    expect(bySeverity(items, ([, s]) => s).map(([code]) => code)).toEqual(['E03', 'E07', 'E05', 'E99', 'E01', 'E02']);
  });

  it('leaves its input alone', () => {
    const input = ['info', 'critical'] as const;
    bySeverity(input, (s) => s);
    expect(input).toEqual(['info', 'critical']);
  });
});
