import { describe, expect, it } from 'vitest';
import { cesLabel, cesTone } from '../src/common/ces.js';

describe('CES scale (1 very difficult … 7 very easy, issue 16)', () => {
  it('labels each score so that higher is easier', () => {
    expect(cesLabel(1)).toBe('very difficult');
    expect(cesLabel(4)).toBe('neither easy nor difficult');
    expect(cesLabel(6)).toBe('fairly easy');
    expect(cesLabel(7)).toBe('very easy');
    expect(cesLabel(5.6)).toBe('fairly easy');
    expect(cesLabel(6, 'de')).toBe('recht einfach');
    expect(cesLabel(1, 'de')).toBe('sehr schwierig');
  });

  it('calls 5 and above good and below 4 a warning', () => {
    expect(cesTone(6)).toBe('good');
    expect(cesTone(5)).toBe('good');
    expect(cesTone(4.5)).toBe('neutral');
    expect(cesTone(4)).toBe('neutral');
    expect(cesTone(3.9)).toBe('warn');
    expect(cesTone(1)).toBe('warn');
  });
});
