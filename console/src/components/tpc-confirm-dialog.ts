import { LitElement, css, html } from 'lit';
import { sharedStyles } from './shared-styles.js';

/** A modal confirmation on the native <dialog> (focus trap and Escape for free). `ask()` resolves true on confirm. */
export class TpConfirmDialog extends LitElement {
  static override properties = { heading: {}, confirmLabel: {}, cancelLabel: {} };
  declare heading: string;
  declare confirmLabel: string;
  declare cancelLabel: string;
  private resolve: ((ok: boolean) => void) | undefined;

  static override styles = [
    sharedStyles,
    css`
      dialog {
        border: 1px solid var(--tp-border);
        border-radius: 12px;
        padding: 20px;
        max-width: 480px;
        width: calc(100% - 32px);
        box-shadow: 0 12px 40px rgb(16 24 40 / 25%);
      }
      dialog::backdrop {
        background: rgb(16 24 40 / 35%);
      }
      .actions {
        display: flex;
        justify-content: flex-end;
        gap: 8px;
        margin-top: 16px;
      }
    `,
  ];

  constructor() {
    super();
    this.heading = 'Are you sure?';
    this.confirmLabel = 'Confirm';
    this.cancelLabel = 'Cancel';
  }

  ask(): Promise<boolean> {
    const dialog = this.renderRoot.querySelector('dialog')!;
    dialog.showModal();
    return new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  private close(ok: boolean) {
    this.renderRoot.querySelector('dialog')?.close();
    this.resolve?.(ok);
    this.resolve = undefined;
  }

  override render() {
    return html`<dialog aria-labelledby="h" @cancel=${() => this.close(false)}>
      <h2 id="h">${this.heading}</h2>
      <slot></slot>
      <div class="actions">
        <button @click=${() => this.close(false)}>${this.cancelLabel}</button
        ><button class="primary" @click=${() => this.close(true)}>${this.confirmLabel}</button>
      </div>
    </dialog>`;
  }
}
customElements.define('tpc-confirm-dialog', TpConfirmDialog);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-confirm-dialog': TpConfirmDialog;
  }
}
