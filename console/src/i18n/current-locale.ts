import { initialLocale, type ConsoleLocale } from './locale.js';
import { translator, type Translate } from './translator.js';

/** Per browser, not per account: a shared support PC keeps one language, like the browser's own. */
export const LOCALE_STORAGE_KEY = 'touchpoint.console.locale';

function savedLocale(): string | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage.getItem(LOCALE_STORAGE_KEY);
  } catch {
    return null;
  }
}

function browserLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  return navigator.languages ?? [navigator.language];
}

let locale: ConsoleLocale = initialLocale(savedLocale(), browserLanguages());
let translate: Translate = translator(locale);
const listeners = new Set<(locale: ConsoleLocale) => void>();
if (typeof document !== 'undefined') document.documentElement.lang = locale;

/** The console's language: the staff member's choice saved in this browser, else the browser's language. */
export function currentLocale(): ConsoleLocale {
  return locale;
}

/** A text in the current language. Components use LocaleController (it also re-renders them on a switch). */
export const t: Translate = (key, params) => translate(key, params);

/** Switches every view at once and remembers the choice in this browser. */
export function setLocale(next: ConsoleLocale): void {
  if (next === locale) return;
  locale = next;
  translate = translator(next);
  if (typeof document !== 'undefined') document.documentElement.lang = next;
  try {
    localStorage.setItem(LOCALE_STORAGE_KEY, next);
  } catch {
    // Storage may be blocked (private mode, policy); the choice then lasts until reload.
  }
  for (const listener of listeners) listener(next);
}

export function onLocaleChange(listener: (locale: ConsoleLocale) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
