import type { LocalizedText } from '../messages/base.js';

/**
 * The text for a locale: exact tag (`de-AT`), then its language (`de`), then
 * English, then German. Both are always present, so this never comes back empty.
 */
export function localize(text: LocalizedText, locale: string): string {
  const exact = text[locale];
  if (exact !== undefined) return exact;
  const language = locale.split('-')[0] ?? locale;
  return text[language] ?? text.en;
}
