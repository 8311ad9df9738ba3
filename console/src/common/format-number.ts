import { currentLocale } from '../i18n/current-locale.js';

const formats = new Map<string, Intl.NumberFormat>();

/**
 * A number as the locale writes it ("1,234.5", German "1.234,5"): at most one
 * decimal, or exactly `fixedDigits` when given (an average CES reads "5.0").
 */
export function formatNumber(value: number, locale: string = currentLocale(), fixedDigits?: number): string {
  const id = `${locale}/${fixedDigits ?? ''}`;
  let format = formats.get(id);
  if (!format)
    formats.set(
      id,
      (format = new Intl.NumberFormat(
        locale,
        fixedDigits === undefined
          ? { maximumFractionDigits: 1 }
          : { minimumFractionDigits: fixedDigits, maximumFractionDigits: fixedDigits },
      )),
    );
  return format.format(value);
}

const readingFormats = new Map<string, Intl.NumberFormat>();

/** A sensor reading as the device sent it, in the locale's digits: up to three decimals ("1,25" in German). */
export function formatReading(value: number, locale: string = currentLocale()): string {
  let format = readingFormats.get(locale);
  if (!format) readingFormats.set(locale, (format = new Intl.NumberFormat(locale, { maximumFractionDigits: 3 })));
  return format.format(value);
}
