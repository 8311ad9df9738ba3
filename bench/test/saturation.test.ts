import { describe, expect, it } from 'vitest';
import { GENERATOR_BOUND_SHARE, ceilingShare, generatorBoundNotes } from '../src/saturation.js';

describe('generator-bound figures (issue 13, quick mode)', () => {
  it('pairs a broker with the generators’ ceiling round by round', () => {
    // Round 2 ran on a slow minute: both the broker and the ceiling halve, the share stays 0.3.
    expect(ceilingShare([30, 15, 30], [100, 50, 100])).toEqual({ share: 0.3, bound: false });
    expect(ceilingShare([90, 45, 85], [100, 50, 100])).toMatchObject({ bound: true });
    expect(ceilingShare([], [100])).toMatchObject({ bound: false });
    expect(ceilingShare([GENERATOR_BOUND_SHARE * 100], [100])).toMatchObject({ bound: true });
  });

  it('marks every ratio a generator-bound broker is part of, and only those', () => {
    // The quick run of issue 13: mosquitto driven at 28k msg/s by generators that reach 30k into a sink.
    const rates = new Map([
      ['touchpoint', [9_000, 10_000, 11_000]],
      ['bare aedes', [12_000, 13_000, 12_500]],
      ['mosquitto', [28_000, 27_000, 29_000]],
    ]);
    const ceiling = [30_000, 31_000, 29_500];
    const notes = generatorBoundNotes(rates, ceiling, [
      ['touchpoint', 'bare aedes'],
      ['touchpoint', 'mosquitto'],
      ['bare aedes', 'mosquitto'],
    ]);
    expect(Object.keys(notes).sort()).toEqual(['bare aedes vs mosquitto', 'touchpoint vs mosquitto']);
    expect(notes['touchpoint vs mosquitto']).toMatch(
      /^not meaningful: .*30,000 msg\/s .*mosquitto reached 0\.93 of it/,
    );
  });

  it('leaves figures alone when the generators outrun every broker', () => {
    const rates = new Map([
      ['touchpoint', [30_000, 31_000, 29_000]],
      ['mosquitto', [95_000, 90_000, 96_000]],
    ]);
    expect(generatorBoundNotes(rates, [200_000, 190_000, 210_000], [['touchpoint', 'mosquitto']])).toEqual({});
  });
});
