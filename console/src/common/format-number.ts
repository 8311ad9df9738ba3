import { currentLocale } from '../i18n/current-locale.js';

const formats = new Map<string, Intl.NumberFormat>();

/** A plain number as the locale writes it ("1,234.5", German "1.234,5"), at most `digits` decimals. */
export function formatNumber(value: number, locale: string = currentLocale(), digits = 1): string {
  const id = `${locale}/${digits}`;
  let format = formats.get(id);
  if (!format) formats.set(id, (format = new Intl.NumberFormat(locale, { maximumFractionDigits: digits })));
  return format.format(value);
}
