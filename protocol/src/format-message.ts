/**
 * A tiny ICU-like message helper on top of Intl: `{name}` placeholders, with
 * numbers formatted for the locale, and plural forms chosen by
 * Intl.PluralRules on the `count` parameter (`=0` matches exactly first).
 * The touchscreen and the console both format their catalogues with it; it is
 * pure and browser-safe, and has its own entry (`@touchpoint/protocol/format-message`)
 * so a UI bundle does not pull in the message schemas.
 */
export interface PluralMessage {
  '=0'?: string;
  zero?: string;
  one?: string;
  two?: string;
  few?: string;
  many?: string;
  other: string;
}
export type MessageValue = string | PluralMessage;
export type MessageParams = Record<string, string | number>;

const pluralRules = new Map<string, Intl.PluralRules>();
const numberFormats = new Map<string, Intl.NumberFormat>();

function rulesFor(locale: string): Intl.PluralRules {
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)));
  return rules;
}

function numberFormatFor(locale: string): Intl.NumberFormat {
  let format = numberFormats.get(locale);
  if (!format) numberFormats.set(locale, (format = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 })));
  return format;
}

function pickPlural(locale: string, message: PluralMessage, count: number): string {
  if (count === 0 && message['=0'] !== undefined) return message['=0'];
  const category = rulesFor(locale).select(count);
  return message[category] ?? message.other;
}

export function formatMessage(locale: string, message: MessageValue, params: MessageParams = {}): string {
  const count = params.count;
  const template =
    typeof message === 'string' ? message : pickPlural(locale, message, typeof count === 'number' ? count : Number.NaN);
  return template.replace(/\{([a-zA-Z0-9_]+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? numberFormatFor(locale).format(value) : value;
  });
}
