import { formatMessage, type MessageParams } from './format-message.js';
import type { ConsoleLocale } from './locale.js';
import { de } from './de.js';
import { en, type MessageKey, type Messages } from './en.js';

const catalogs: Record<ConsoleLocale, Messages> = { en, de };

export type Translate = (key: MessageKey, params?: MessageParams) => string;

/** A translate function for one locale. Both catalogs ship in the bundle; switching is instant. */
export function translator(locale: ConsoleLocale): Translate {
  const catalog = catalogs[locale];
  return (key, params) => formatMessage(locale, catalog[key], params);
}

export type { MessageKey, MessageParams };
