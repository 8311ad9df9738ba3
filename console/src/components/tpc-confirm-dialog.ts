import { LitElement, css, html } from 'lit';
import { LocaleController } from '../i18n/locale-controller.js';
import { sharedStyles } from './shared-styles.js';

/**
 * A modal confirmation on the native <dialog> (focus trap and Escape for free). `ask()` resolves true on confirm.
 * Labels not given read "Are you sure?", "Confirm" and "Cancel" in the console's language.
 */
export class TpConfirmDialog extends LitElement {
  static override properties = { heading: {}, confirmLabel: {}, cancelLabel: {} };
  declare heading: string | undefined;
  declare confirmLabel: string | undefined;
  declare cancelLabel: string | undefined;
  private readonly i18n = new LocaleController(this);
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
    const t = this.i18n.t;
    return html`<dialog aria-labelledby="h" @cancel=${() => this.close(false)}>
      <h2 id="h">${this.heading || t('confirm.heading')}</h2>
      <slot></slot>
      <div class="actions">
        <button @click=${() => this.close(false)}>${this.cancelLabel || t('common.cancel')}</button
        ><button class="primary" @click=${() => this.close(true)}>${this.confirmLabel || t('confirm.confirm')}</button>
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
