/** The console's languages (issue 16: support teams in Germany). Adding one: docs/console.md § Languages. */
export const SUPPORTED_LOCALES = ['en', 'de'] as const;
export type ConsoleLocale = (typeof SUPPORTED_LOCALES)[number];

/** Each language's name in itself, for the switch in the header. */
export const LOCALE_NAMES: Record<ConsoleLocale, string> = { en: 'English', de: 'Deutsch' };

export function isConsoleLocale(value: unknown): value is ConsoleLocale {
  return typeof value === 'string' && (SUPPORTED_LOCALES as readonly string[]).includes(value);
}

/** The staff member's saved choice if any, else the first supported browser language, else English. */
export function initialLocale(saved: string | null | undefined, browserLanguages: readonly string[]): ConsoleLocale {
  if (isConsoleLocale(saved)) return saved;
  for (const lang of browserLanguages) {
    const base = lang.toLowerCase().split('-')[0];
    if (isConsoleLocale(base)) return base;
  }
  return 'en';
}
