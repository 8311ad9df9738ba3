const formats = new Map<string, Intl.DateTimeFormat>();

/** A date and time of day as the locale writes them ("3.12.2026, 14:05" in German, "12/3/2026, 2:05 PM" in English). */
export function formatDateTime(locale: string, at: number): string {
  let format = formats.get(locale);
  if (!format)
    formats.set(locale, (format = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short' })));
  return format.format(new Date(at));
}
