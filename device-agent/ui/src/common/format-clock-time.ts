const formats = new Map<string, Intl.DateTimeFormat>();

/** A time of day as the locale writes it, hours and minutes ("14:05" in German, "2:05 PM" in English). */
export function formatClockTime(locale: string, at: number): string {
  let format = formats.get(locale);
  if (!format) formats.set(locale, (format = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' })));
  return format.format(new Date(at));
}
