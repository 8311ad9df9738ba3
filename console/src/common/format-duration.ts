import { currentLocale } from '../i18n/current-locale.js';
import type { ConsoleLocale } from '../i18n/locale.js';
import { translator } from '../i18n/translator.js';

/**
 * A duration for people: "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h" (in
 * German "3 Min. 20 s", "2 Std. 5 Min."). Negative values read as zero.
 */
export function formatDuration(ms: number, locale: ConsoleLocale = currentLocale()): string {
  const t = translator(locale);
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return t('duration.s', { s });
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? t('duration.minS', { min: m, s: s % 60 }) : t('duration.min', { min: m });
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? t('duration.hMin', { h, min: m % 60 }) : t('duration.h', { h });
  const d = Math.floor(h / 24);
  return h % 24 ? t('duration.dH', { d, h: h % 24 }) : t('duration.d', { d });
}
