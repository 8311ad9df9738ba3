import { LitElement, css, html, nothing } from 'lit';
import { LocaleController } from '../i18n/locale-controller.js';
import { sharedStyles } from './shared-styles.js';

/**
 * A secret the broker hands out once (an integration token, a webhook secret): the value in a
 * read-only field, a warning that it cannot be shown again, Copy, and Done, which fires `done` so
 * the owner forgets it. Details about the secret (user name, inbound URL) go in the default slot.
 */
export class TpShownOnce extends LitElement {
  static override properties = {
    label: {},
    notice: {},
    value: {},
    _copied: { state: true },
  };
  /** What the secret is for: the heading and the field's accessible name. */
  declare label: string;
  /** Why it must be copied now, in the words of the owner's view. */
  declare notice: string;
  declare value: string;
  declare _copied: 'yes' | 'failed' | undefined;
  private readonly i18n = new LocaleController(this);

  static override styles = [
    sharedStyles,
    css`
      .secret {
        background: var(--tp-ok-bg);
        border-radius: 8px;
        padding: 12px;
        display: grid;
        gap: 8px;
      }
      .secret input {
        font-family: var(--tp-mono);
        width: 100%;
      }
    `,
  ];

  constructor() {
    super();
    this.label = '';
    this.notice = '';
    this.value = '';
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    // A new secret starts without the previous one's copy state.
    if (changed.has('value')) this._copied = undefined;
  }

  private async copy() {
    this.renderRoot.querySelector<HTMLInputElement>('input.token')?.select();
    try {
      await navigator.clipboard.writeText(this.value);
      this._copied = 'yes';
    } catch {
      // No clipboard permission (plain http on another host): the field stays selected for Ctrl+C.
      this._copied = 'failed';
    }
  }

  override render() {
    const t = this.i18n.t;
    return html`<section class="secret" role="status" aria-labelledby="fresh-h">
      <strong id="fresh-h">${this.label}</strong>
      <div class="notice" data-shown-once>${this.notice}</div>
      <input
        class="token"
        readonly
        aria-label=${this.label}
        .value=${this.value}
        @focus=${(e: FocusEvent) => (e.target as HTMLInputElement).select()}
      />
      <slot></slot>
      <div class="row">
        <button class="copy" @click=${() => void this.copy()}>${t('shownOnce.copy')}</button>
        ${
          this._copied === 'yes'
            ? html`<span>${t('shownOnce.copied')}</span>`
            : this._copied === 'failed'
              ? html`<span class="field-error">${t('shownOnce.copyFailed')}</span>`
              : nothing
        }
        <span class="spacer"></span>
        <button class="primary done" @click=${() => this.dispatchEvent(new Event('done'))}>
          ${t('shownOnce.done')}
        </button>
      </div>
    </section>`;
  }
}
customElements.define('tpc-shown-once', TpShownOnce);
