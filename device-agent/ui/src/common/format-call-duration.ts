const formats = new Map<string, Intl.NumberFormat>();

function unitFormat(locale: string, unit: 'second' | 'minute'): Intl.NumberFormat {
  const key = `${locale}:${unit}`;
  let format = formats.get(key);
  if (!format) formats.set(key, (format = new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' })));
  return format;
}

/**
 * How long a call ran, as the locale says it (issue 16, call receipts): under a minute in seconds
 * ("45 seconds", "45 Sekunden"), else in whole minutes, rounded ("4 minutes", "1 Minute").
 */
export function formatCallDuration(locale: string, seconds: number): string {
  const s = Math.max(0, Number.isFinite(seconds) ? Math.round(seconds) : 0);
  return s < 60 ? unitFormat(locale, 'second').format(s) : unitFormat(locale, 'minute').format(Math.round(s / 60));
}
