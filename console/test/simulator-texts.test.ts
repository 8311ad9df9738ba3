import { describe, expect, it } from 'vitest';
import { simulatorText, simulatorTexts, type SimulatorTextKey } from '../src/common/simulator-texts.js';
import type { MessageValue } from '../src/i18n/format-message.js';

const forms = (v: MessageValue) => (typeof v === 'string' ? [v] : Object.values(v).filter((f) => f !== undefined));
const params = (v: MessageValue) =>
  [...new Set(forms(v).flatMap((f) => [...f.matchAll(/\{([a-zA-Z0-9_]+)\}/g)].map((m) => m[1]!)))].sort().join();
const keys = Object.keys(simulatorTexts.en) as SimulatorTextKey[];

describe('the Simulator panel texts (en, de)', () => {
  it('has every text in German, with the same parameters, and none copied from English', () => {
    expect(keys.filter((k) => forms(simulatorTexts.de[k]).some((f) => !f.trim()))).toEqual([]);
    expect(keys.filter((k) => params(simulatorTexts.de[k]) !== params(simulatorTexts.en[k]))).toEqual([]);
    // "Simulator" is the same word in both languages; every sentence is translated.
    expect(keys.filter((k) => k !== 'title' && simulatorTexts.de[k] === simulatorTexts.en[k])).toEqual([]);
  });

  it('fills in parameters', () => {
    expect(simulatorText('en', 'clear', { code: 'E05' })).toBe('Clear E05');
    expect(simulatorText('de', 'clear', { code: 'E05' })).toBe('E05 aufheben');
    expect(simulatorText('de', 'failed', { message: 'x' })).toBe('Nicht möglich: x');
  });
});
