import { describe, expect, it } from 'vitest';
import { caseText, caseTexts, type CaseTextKey } from '../src/common/case-history-texts.js';
import type { MessageValue } from '../src/i18n/format-message.js';

const forms = (v: MessageValue) => (typeof v === 'string' ? [v] : Object.values(v).filter((f) => f !== undefined));
const params = (v: MessageValue) =>
  [...new Set(forms(v).flatMap((f) => [...f.matchAll(/\{([a-zA-Z0-9_]+)\}/g)].map((m) => m[1]!)))].sort().join();
const keys = Object.keys(caseTexts.en) as CaseTextKey[];

describe('the case history texts (en, de)', () => {
  it('has every text in German, with the same parameters and an "other" plural form', () => {
    expect(keys.filter((k) => forms(caseTexts.de[k]).some((f) => !f.trim()))).toEqual([]);
    expect(keys.filter((k) => params(caseTexts.de[k]) !== params(caseTexts.en[k]))).toEqual([]);
    expect(
      keys.filter((k) => typeof caseTexts.de[k] !== 'string' && !(caseTexts.de[k] as { other?: string }).other),
    ).toEqual([]);
  });

  it('formats counts and plurals for the locale', () => {
    expect(caseText('en', 'count', { count: 1 })).toBe('1 case');
    expect(caseText('en', 'count', { count: 1201 })).toBe('1,201 cases');
    expect(caseText('de', 'count', { count: 1201 })).toBe('1.201 Fälle');
    expect(caseText('en', 'selected', { count: 0 })).toBe('None selected');
    expect(caseText('de', 'exported', { count: 1, file: 'f.csv' })).toBe('1 Zeile nach f.csv exportiert.');
  });
});
