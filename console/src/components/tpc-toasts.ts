import { LitElement, css, html } from 'lit';
import { LocaleController } from '../i18n/locale-controller.js';

export interface Toast {
  id: number;
  text: string;
  tone: 'info' | 'ok' | 'warning' | 'critical';
  href?: string | undefined;
}

/** Notifications in the corner, read out by screen readers, each dismissable and gone after a while. */
export class TpToasts extends LitElement {
  static override properties = { _toasts: { state: true } };
  declare _toasts: Toast[];
  private readonly i18n = new LocaleController(this);
  private next = 1;

  static override styles = css`
    :host {
      position: fixed;
      right: 16px;
      bottom: 16px;
      display: grid;
      gap: 8px;
      z-index: 10;
      max-width: 380px;
    }
    .toast {
      display: flex;
      gap: 10px;
      align-items: start;
      background: var(--tp-surface);
      border: 1px solid var(--tp-border);
      border-left: 4px solid var(--tp-accent);
      border-radius: 8px;
      padding: 10px 12px;
      box-shadow: 0 4px 16px rgb(16 24 40 / 14%);
      font: 14px var(--tp-font);
      color: var(--tp-text);
    }
    .toast.warning {
      border-left-color: #d19a00;
    }
    .toast.critical {
      border-left-color: var(--tp-crit);
    }
    .toast.ok {
      border-left-color: var(--tp-ok);
    }
    .text {
      flex: 1;
    }
    a {
      color: var(--tp-accent);
    }
    button {
      border: 0;
      background: none;
      cursor: pointer;
      font-size: 1rem;
      color: var(--tp-text-2);
    }
  `;

  constructor() {
    super();
    this._toasts = [];
  }

  show(text: string, tone: Toast['tone'] = 'info', href?: string, ttlMs = 8000): void {
    const toast: Toast = { id: this.next++, text, tone, href };
    this._toasts = [...this._toasts.slice(-4), toast];
    setTimeout(() => this.dismiss(toast.id), ttlMs);
  }

  private dismiss(id: number) {
    this._toasts = this._toasts.filter((t) => t.id !== id);
  }

  override render() {
    const text = this.i18n.t;
    return html`<div role="status" aria-live="polite">
      ${this._toasts.map(
        (t) =>
          html`<div class="toast ${t.tone}">
            <span class="text">${t.text}${t.href ? html` <a href=${t.href}>${text('toast.open')}</a>` : ''}</span>
            <button aria-label=${text('toast.dismiss')} @click=${() => this.dismiss(t.id)}>×</button>
          </div>`,
      )}
    </div>`;
  }
}
customElements.define('tpc-toasts', TpToasts);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-toasts': TpToasts;
  }
}
