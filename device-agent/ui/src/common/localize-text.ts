/** Picks a flow or profile text in the UI's language, falling back to English, then to any language it has. */
export function localizeText(text: Readonly<Record<string, string>>, locale: string): string {
  return text[locale] ?? text[locale.split('-')[0] ?? ''] ?? text.en ?? Object.values(text)[0] ?? '';
}
