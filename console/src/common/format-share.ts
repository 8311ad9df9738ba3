import { currentLocale } from '../i18n/current-locale.js';

const formats = new Map<string, Intl.NumberFormat>();

/** A ratio as the locale writes a percentage ("62.5%", German "62,5 %"); an em dash when there is nothing to divide. */
export function formatShare(value: number | null, locale: string = currentLocale()): string {
  if (value === null) return '—';
  let format = formats.get(locale);
  if (!format)
    formats.set(locale, (format = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 })));
  return format.format(value);
}
