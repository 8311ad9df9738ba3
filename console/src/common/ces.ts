import { currentLocale } from '../i18n/current-locale.js';
import type { ConsoleLocale } from '../i18n/locale.js';
import { translator } from '../i18n/translator.js';

/**
 * The Customer Effort Score as the touchscreen asks it (CES 2.0, issue 16):
 * 1 = very difficult … 7 = very easy, so higher is better everywhere the
 * console shows a rating or an average. The labels are in the console's
 * catalogue (ces.1 … ces.7).
 */

/** "fairly easy" for a 6 ("recht einfach" in German); the nearest label for an average. */
export function cesLabel(score: number, locale: ConsoleLocale = currentLocale()): string {
  const i = Math.min(7, Math.max(1, Math.round(score))) as 1 | 2 | 3 | 4 | 5 | 6 | 7;
  return translator(locale)(`ces.${i}`);
}

export type CesTone = 'good' | 'neutral' | 'warn';

/** 5 and above (somewhat easy or better) is good; below the scale's midpoint of 4 customers found it hard. */
export function cesTone(score: number): CesTone {
  if (score >= 5) return 'good';
  if (score < 4) return 'warn';
  return 'neutral';
}
