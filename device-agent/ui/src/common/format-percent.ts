const formats = new Map<string, Intl.NumberFormat>();

/** 0-100 as the locale writes a percentage ("42 %" in German, "42%" in English). */
export function formatPercent(locale: string, percent: number): string {
  let format = formats.get(locale);
  if (!format)
    formats.set(locale, (format = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 })));
  const clamped = Math.min(100, Math.max(0, Number.isFinite(percent) ? percent : 0));
  return format.format(clamped / 100);
}
