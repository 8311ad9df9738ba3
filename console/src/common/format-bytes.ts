import { currentLocale } from '../i18n/current-locale.js';

const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;
const formats = new Map<string, Intl.NumberFormat>();

/**
 * A size in bytes as the locale writes it, in decimal units (1 kB = 1000 B, as
 * disks are sold): "512 byte", "3.2 GB", in German "3,2 GB". Negative or
 * non-finite sizes read as 0.
 */
export function formatBytes(bytes: number, locale: string = currentLocale()): string {
  let value = Number.isFinite(bytes) && bytes > 0 ? bytes : 0;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const id = `${locale}/${UNITS[unit]}`;
  let format = formats.get(id);
  if (!format)
    formats.set(
      id,
      (format = new Intl.NumberFormat(locale, {
        style: 'unit',
        unit: UNITS[unit],
        unitDisplay: 'short',
        maximumFractionDigits: value < 10 && unit > 0 ? 1 : 0,
      })),
    );
  return format.format(value);
}
