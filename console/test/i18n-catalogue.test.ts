import { describe, expect, it } from 'vitest';
import { de } from '../src/i18n/de.js';
import { en, type MessageKey } from '../src/i18n/en.js';
import type { MessageValue } from '../src/i18n/format-message.js';
import { initialLocale } from '../src/i18n/locale.js';
import { translator } from '../src/i18n/translator.js';

/**
 * The console's catalogue (issue 16). That de.ts has every key en.ts has is
 * the `Messages` type's job (a missing key does not compile); these check what
 * the type cannot: no empty text, the same parameters in both languages, and
 * no English left in de.ts by copying.
 */
const keys = Object.keys(en) as MessageKey[];

function forms(value: MessageValue): string[] {
  return typeof value === 'string' ? [value] : Object.values(value).filter((v): v is string => v !== undefined);
}

function params(value: MessageValue): string[] {
  return [...new Set(forms(value).flatMap((f) => [...f.matchAll(/\{([a-zA-Z0-9_]+)\}/g)].map((m) => m[1]!)))].sort();
}

/** Words of two or more letters outside the {parameters}: a text with at most one is a name or a term both languages share ("Firmware", "Online"). */
function words(value: MessageValue): number {
  return forms(value)
    .map((f) => f.replace(/\{[^}]*\}/g, '').match(/\p{L}{2,}/gu)?.length ?? 0)
    .reduce((a, b) => Math.max(a, b), 0);
}

describe('the console catalogue', () => {
  it('has no empty German text and a plural "other" form everywhere', () => {
    const empty = keys.filter((k) => forms(de[k]).some((f) => f.trim() === ''));
    expect(empty).toEqual([]);
    const noOther = keys.filter((k) => typeof de[k] !== 'string' && !(de[k] as { other?: string }).other);
    expect(noOther).toEqual([]);
  });

  it('uses the same parameters in German as in English', () => {
    const differ = keys.filter((k) => params(de[k]).join() !== params(en[k]).join());
    expect(differ).toEqual([]);
  });

  it('leaves no English sentence untranslated in German', () => {
    const copied = keys.filter((k) => JSON.stringify(de[k]) === JSON.stringify(en[k]) && words(en[k]) > 1);
    expect(copied).toEqual([]);
  });

  it('formats parameters and plurals with Intl for the locale', () => {
    expect(translator('de')('fleet.devices', { count: 1201 })).toBe('1.201 Geräte');
    expect(translator('en')('fleet.devices', { count: 1201 })).toBe('1,201 devices');
    expect(translator('de')('fleet.devices', { count: 1 })).toBe('1 Gerät');
    expect(translator('de')('time.daysAgo', { count: 3 })).toBe('vor 3 Tagen');
    // The case history and its exports (issue 16), formerly in their own file.
    expect(translator('en')('cases.count', { count: 1 })).toBe('1 case');
    expect(translator('en')('cases.count', { count: 1201 })).toBe('1,201 cases');
    expect(translator('de')('cases.count', { count: 1201 })).toBe('1.201 Fälle');
    expect(translator('en')('cases.selected', { count: 0 })).toBe('None selected');
    expect(translator('de')('cases.selected', { count: 0 })).toBe('Nichts ausgewählt');
    expect(translator('de')('export.done', { count: 1, file: 'f.csv' })).toBe('1 Zeile nach f.csv exportiert.');
    expect(translator('de')('export.done', { count: 2, file: 'f.csv' })).toBe('2 Zeilen nach f.csv exportiert.');
    // The demo's Simulator panel (issue 16), formerly in its own file.
    expect(translator('en')('simulator.clear', { code: 'E05' })).toBe('Clear E05');
    expect(translator('de')('simulator.clear', { code: 'E05' })).toBe('E05 aufheben');
    expect(translator('de')('simulator.failed', { message: 'x' })).toBe('Nicht möglich: x');
  });
});

describe('the console language at start', () => {
  it('takes the saved choice, else the first supported browser language, else English', () => {
    expect(initialLocale('de', ['en-US'])).toBe('de');
    expect(initialLocale(null, ['fr-FR', 'de-AT', 'en'])).toBe('de');
    expect(initialLocale('xx', ['en-GB'])).toBe('en');
    expect(initialLocale(null, ['fr-FR'])).toBe('en');
    expect(initialLocale(null, [])).toBe('en');
  });
});
