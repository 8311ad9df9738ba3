import { LitElement, css, html } from 'lit';
import type { LiveState } from '../data/live.js';
import { LocaleController } from '../i18n/locale-controller.js';

/** The live channel's state, announced politely to screen readers when it changes. */
export class TpConnectionState extends LitElement {
  private readonly i18n = new LocaleController(this);
  static override properties = { state: { reflect: true } };
  declare state: LiveState;

  static override styles = css`
    :host {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      font-size: 0.85rem;
      color: var(--tp-text-2);
    }
    .dot {
      width: 8px;
      height: 8px;
      border-radius: 50%;
      background: var(--tp-text-2);
    }
    :host([state='live']) .dot {
      background: var(--tp-ok);
    }
    :host([state='reconnecting']) .dot,
    :host([state='connecting']) .dot {
      background: #d19a00;
      animation: pulse 1.2s ease-in-out infinite;
    }
    :host([state='closed']) .dot {
      background: var(--tp-crit);
    }
    @keyframes pulse {
      50% {
        opacity: 0.3;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .dot {
        animation: none !important;
      }
    }
  `;

  constructor() {
    super();
    this.state = 'connecting';
  }

  override render() {
    return html`<span class="dot" aria-hidden="true"></span
      ><span role="status" aria-live="polite">${this.i18n.t(`live.${this.state}`)}</span>`;
  }
}
customElements.define('tpc-connection-state', TpConnectionState);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-connection-state': TpConnectionState;
  }
}
