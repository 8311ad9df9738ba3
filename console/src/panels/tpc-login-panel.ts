import { LitElement, css, html, nothing } from 'lit';
import type { SessionView } from '@touchpoint/protocol';
import { sharedStyles } from '../components/shared-styles.js';
import { ApiError } from '../data/api.js';
import { login } from '../data/auth.js';
import { LocaleController } from '../i18n/locale-controller.js';

export type LoggedInEvent = CustomEvent<SessionView>;

/** Staff sign-in. Fires `tpc-logged-in` with the session. */
export class TpLoginPanel extends LitElement {
  static override properties = { _error: { state: true }, _busy: { state: true } };
  declare _error: string | undefined;
  declare _busy: boolean;
  private readonly i18n = new LocaleController(this);

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        place-items: center;
        min-height: 100vh;
        padding: 16px;
      }
      .card {
        width: 100%;
        max-width: 360px;
        padding: 28px;
      }
      form {
        display: grid;
        gap: 14px;
      }
      .brand {
        font-size: 1.5rem;
        font-weight: 700;
        letter-spacing: -0.01em;
        margin-bottom: 4px;
      }
      .brand span {
        color: var(--tp-accent);
      }
      input {
        width: 100%;
      }
      button {
        width: 100%;
        min-height: 38px;
      }
    `,
  ];

  constructor() {
    super();
    this._busy = false;
  }

  private async submit(e: SubmitEvent) {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    this._busy = true;
    this._error = undefined;
    try {
      const session = await login(String(form.get('name') ?? '').trim(), String(form.get('password') ?? ''));
      this.dispatchEvent(new CustomEvent('tpc-logged-in', { detail: session, bubbles: true, composed: true }));
    } catch (err) {
      const code = err instanceof ApiError ? err.code : 'NETWORK';
      this._error =
        code === 'BAD_CREDENTIALS'
          ? this.i18n.t('login.badCredentials')
          : code === 'RATE_LIMITED'
            ? this.i18n.t('login.rateLimited', { message: (err as Error).message })
            : (err as Error).message;
    } finally {
      this._busy = false;
    }
  }

  override render() {
    const t = this.i18n.t;
    return html`<main class="card">
      <div class="brand">Touch<span>point</span></div>
      <p class="muted">${t('login.intro')}</p>
      <form @submit=${this.submit}>
        <label>${t('login.name')}<input name="name" autocomplete="username" required /></label>
        <label
          >${t('login.password')}<input name="password" type="password" autocomplete="current-password" required
        /></label>
        ${this._error ? html`<div class="error-box" role="alert">${this._error}</div>` : nothing}
        <button class="primary" type="submit" ?disabled=${this._busy}>
          ${this._busy ? t('login.signingIn') : t('login.signIn')}
        </button>
      </form>
    </main>`;
  }
}
customElements.define('tpc-login-panel', TpLoginPanel);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-login-panel': TpLoginPanel;
  }
  interface HTMLElementEventMap {
    'tpc-logged-in': LoggedInEvent;
  }
}
