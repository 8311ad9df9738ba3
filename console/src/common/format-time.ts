import { currentLocale } from '../i18n/current-locale.js';

const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * An absolute local time with seconds, as the locale writes it (issue 16):
 * "07.03.2025, 14:05:09" in German, "Mar 7, 2025, 2:05:09 PM" in English.
 * The month is spelled out in English so 3/7 cannot be misread.
 */
export function formatTime(at: number, locale: string = currentLocale()): string {
  let format = formats.get(locale);
  if (!format)
    formats.set(locale, (format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' })));
  return format.format(new Date(at));
}
