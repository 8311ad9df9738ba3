import { LitElement, css, html } from 'lit';
import { sharedStyles } from './shared-styles.js';

export type BadgeTone = 'ok' | 'info' | 'warning' | 'critical' | 'unknown' | 'muted';

/** A small status pill: colour plus text, never colour alone. */
export class TpBadge extends LitElement {
  static override properties = { tone: { reflect: true }, label: {} };
  declare tone: BadgeTone;
  declare label: string;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: inline-flex;
      }
    `,
  ];

  constructor() {
    super();
    this.tone = 'muted';
    this.label = '';
  }

  override render() {
    return html`<span class="pill ${this.tone}"><span aria-hidden="true">●</span>${this.label}</span>`;
  }
}
customElements.define('tpc-badge', TpBadge);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-badge': TpBadge;
  }
}
