import { LitElement, css, html, nothing } from 'lit';
import { PASSWORD_MIN_LENGTH, type SessionView } from '@touchpoint/protocol';
import { sharedStyles } from '../components/shared-styles.js';
import { ApiError } from '../data/api.js';
import { changePassword } from '../data/auth.js';
import { LocaleController } from '../i18n/locale-controller.js';

export type PasswordChangedEvent = CustomEvent<SessionView>;

/**
 * The member's own password change. `required`: the member signed in with a
 * generated password (first start, a new account, an admin's reset) and must
 * choose their own before anything else. Fires `tpc-password-changed` with the
 * new session, or `tpc-password-cancel` when it was optional.
 */
export class TpPasswordPanel extends LitElement {
  static override properties = { required: { type: Boolean }, _error: { state: true }, _busy: { state: true } };
  declare required: boolean;
  declare _error: string | undefined;
  declare _busy: boolean;
  private readonly i18n = new LocaleController(this);

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        place-items: center;
        padding: 16px;
      }
      :host([required]) {
        min-height: 100vh;
      }
      .card {
        width: 100%;
        max-width: 400px;
        padding: 28px;
      }
      form {
        display: grid;
        gap: 14px;
      }
      input {
        width: 100%;
      }
      .actions {
        display: flex;
        gap: 8px;
      }
      .actions button {
        flex: 1;
        min-height: 38px;
      }
    `,
  ];

  constructor() {
    super();
    this.required = false;
    this._busy = false;
  }

  private async submit(e: SubmitEvent) {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const current = String(form.get('current') ?? '');
    const next = String(form.get('next') ?? '');
    if (next !== String(form.get('repeat') ?? '')) {
      this._error = this.i18n.t('password.mismatch');
      return;
    }
    if (next.length < PASSWORD_MIN_LENGTH) {
      this._error = this.i18n.t('password.tooShort', { count: PASSWORD_MIN_LENGTH });
      return;
    }
    this._busy = true;
    this._error = undefined;
    try {
      const session = await changePassword(current, next);
      this.dispatchEvent(new CustomEvent('tpc-password-changed', { detail: session, bubbles: true, composed: true }));
    } catch (err) {
      const code = err instanceof ApiError ? err.code : 'NETWORK';
      this._error = code === 'BAD_CREDENTIALS' ? this.i18n.t('password.wrongCurrent') : (err as Error).message;
    } finally {
      this._busy = false;
    }
  }

  override render() {
    const t = this.i18n.t;
    return html`<main class="card">
      <h2>${this.required ? t('password.choose') : t('password.change')}</h2>
      ${this.required ? html`<p class="muted">${t('password.oneTimeIntro')}</p>` : nothing}
      <form @submit=${this.submit}>
        <label
          >${t('password.current')}<input name="current" type="password" autocomplete="current-password" required
        /></label>
        <label
          >${t('password.new')}<input
            name="next"
            type="password"
            autocomplete="new-password"
            minlength=${PASSWORD_MIN_LENGTH}
            required
        /></label>
        <label
          >${t('password.repeat')}<input name="repeat" type="password" autocomplete="new-password" required
        /></label>
        ${this._error ? html`<div class="error-box" role="alert">${this._error}</div>` : nothing}
        <div class="actions">
          ${this.required ? nothing : html`<button type="button" @click=${() => this.dispatchEvent(new CustomEvent('tpc-password-cancel', { bubbles: true, composed: true }))}>${t('common.cancel')}</button>`}
          <button class="primary" type="submit" ?disabled=${this._busy}>
            ${this._busy ? t('password.saving') : t('password.save')}
          </button>
        </div>
      </form>
    </main>`;
  }
}
customElements.define('tpc-password-panel', TpPasswordPanel);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-password-panel': TpPasswordPanel;
  }
  interface HTMLElementEventMap {
    'tpc-password-changed': PasswordChangedEvent;
    'tpc-password-cancel': CustomEvent<undefined>;
  }
}
