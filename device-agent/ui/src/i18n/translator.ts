import { formatMessage, type MessageParams } from '../common/format-message.js';
import type { UiLocale } from '../common/initial-locale.js';
import { de } from './de.js';
import { en, type MessageKey, type Messages } from './en.js';

const catalogs: Record<UiLocale, Messages> = { de, en };

export type Translate = (key: MessageKey, params?: MessageParams) => string;

/** A translate function for one locale. Both catalogs ship in the bundle (a few KB); switching is instant. */
export function translator(locale: UiLocale): Translate {
  const catalog = catalogs[locale];
  return (key, params) => formatMessage(locale, catalog[key], params);
}

export type { MessageKey };
