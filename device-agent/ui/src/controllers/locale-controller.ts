import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { initialLocale, type UiLocale } from '../common/initial-locale.js';
import { translator, type Translate } from '../i18n/translator.js';

const STORAGE_KEY = 'touchpoint.locale';

function savedLocale(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** The UI language: chosen at runtime, remembered on the device, mirrored to <html lang>. */
export class LocaleController implements ReactiveController {
  locale: UiLocale;
  t: Translate;
  private readonly listeners = new Set<(locale: UiLocale) => void>();

  constructor(private readonly host: ReactiveControllerHost) {
    this.locale = initialLocale(savedLocale(), navigator.languages ?? [navigator.language]);
    this.t = translator(this.locale);
    host.addController(this);
  }

  hostConnected(): void {
    document.documentElement.lang = this.locale;
  }

  set(locale: UiLocale): void {
    if (locale === this.locale) return;
    this.locale = locale;
    this.t = translator(locale);
    document.documentElement.lang = locale;
    try {
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // Kiosk browsers may block storage; the choice then lasts until reload.
    }
    for (const listener of this.listeners) listener(locale);
    this.host.requestUpdate();
  }

  onChange(listener: (locale: UiLocale) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
