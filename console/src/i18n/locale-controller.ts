import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { currentLocale, onLocaleChange, t } from './current-locale.js';
import type { ConsoleLocale } from './locale.js';
import type { Translate } from './translator.js';

/**
 * Gives a Lit element the console's language and re-renders it when staff
 * switch: `private readonly i18n = new LocaleController(this);` then
 * `this.i18n.t('fleet.title')` and `formatTime(at, this.i18n.locale)`.
 */
export class LocaleController implements ReactiveController {
  readonly t: Translate = t;
  private off: (() => void) | undefined;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  get locale(): ConsoleLocale {
    return currentLocale();
  }

  hostConnected(): void {
    this.off = onLocaleChange(() => this.host.requestUpdate());
  }

  hostDisconnected(): void {
    this.off?.();
    this.off = undefined;
  }
}
