export const SUPPORTED_LOCALES = ['de', 'en'] as const;
export type UiLocale = (typeof SUPPORTED_LOCALES)[number];

export function isUiLocale(value: unknown): value is UiLocale {
  return typeof value === 'string' && (SUPPORTED_LOCALES as readonly string[]).includes(value);
}

/** The saved choice if any, else the first supported browser language, else English. */
export function initialLocale(saved: string | null | undefined, browserLanguages: readonly string[]): UiLocale {
  if (isUiLocale(saved)) return saved;
  for (const lang of browserLanguages) {
    const base = lang.toLowerCase().split('-')[0];
    if (isUiLocale(base)) return base;
  }
  return 'en';
}
