import { LitElement, css, html, type PropertyValues } from 'lit';
import { shared } from '../styles/shared.js';

/**
 * A modal sheet on the native <dialog>: the browser traps focus, marks the
 * rest inert for screen readers and closes on Escape (raised as `tp-sheet-cancel`).
 * Heading and buttons live in the same shadow root as the dialog, so labels work.
 */
export class TpSheet extends LitElement {
  static override properties = { open: { type: Boolean }, heading: {} };
  declare open: boolean;
  declare heading: string;

  static override styles = [
    shared,
    css`
      dialog {
        border: none;
        border-radius: 18px;
        padding: 1em 1.2em;
        width: min(36em, calc(100vw - 1.5em));
        max-height: calc(100vh - 1.5em);
        overflow: auto;
        background: var(--tp-surface);
        color: var(--tp-text);
        font: inherit;
        box-shadow: 0 10px 40px rgb(0 0 0 / 35%);
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 45%);
      }
      h2 {
        font-size: 1.2em;
        margin-bottom: 0.5em;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        justify-content: flex-end;
        gap: 0.6em;
        margin-top: 1em;
      }
    `,
  ];

  constructor() {
    super();
    this.open = false;
    this.heading = '';
  }

  protected override render() {
    return html`<dialog aria-labelledby="heading" @cancel=${this.onCancel}>
      <h2 id="heading">${this.heading}</h2>
      <slot></slot>
      <div class="actions"><slot name="actions"></slot></div>
    </dialog>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('open')) return;
    const dialog = this.renderRoot.querySelector('dialog');
    if (!dialog) return;
    if (this.open && !dialog.open) dialog.showModal();
    if (!this.open && dialog.open) dialog.close();
  }

  private onCancel(event: Event): void {
    event.preventDefault();
    this.dispatchEvent(new Event('tp-sheet-cancel', { bubbles: true, composed: true }));
  }
}

customElements.define('tp-sheet', TpSheet);
declare global {
  interface HTMLElementTagNameMap {
    'tp-sheet': TpSheet;
  }
}
