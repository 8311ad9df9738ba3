import { currentLocale } from '../i18n/current-locale.js';
import type { ConsoleLocale } from '../i18n/locale.js';
import { translator } from '../i18n/translator.js';

/** "just now", "5 min ago", "3 h ago", "2 d ago"; "never" for null. In German "vor 5 Min." and so on. */
export function formatRelative(at: number | null, now: number, locale: ConsoleLocale = currentLocale()): string {
  const t = translator(locale);
  if (at === null) return t('time.never');
  const s = Math.round((now - at) / 1000);
  if (s < 10) return t('time.justNow');
  if (s < 60) return t('time.secondsAgo', { count: s });
  const m = Math.floor(s / 60);
  if (m < 60) return t('time.minutesAgo', { count: m });
  const h = Math.floor(m / 60);
  if (h < 48) return t('time.hoursAgo', { count: h });
  return t('time.daysAgo', { count: Math.floor(h / 24) });
}
