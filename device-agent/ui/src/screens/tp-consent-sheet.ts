import { LitElement, css, html } from 'lit';
import { emitIntent } from '../components/intent.js';
import { ConsentArmController } from '../controllers/consent-arm-controller.js';
import '../components/tp-sheet.js';
import type { Translate } from '../i18n/translator.js';
import { shared } from '../styles/shared.js';

/** Before anything leaves the device: exactly what will be shared, and Share / Cancel. Share works once the sheet has been seen (ConsentArmController). */
export class TpConsentSheet extends LitElement {
  static override properties = {
    t: { attribute: false },
    open: { type: Boolean },
    hasSession: { type: Boolean },
    pending: { type: Boolean },
  };
  declare t: Translate;
  declare open: boolean;
  declare hasSession: boolean;
  declare pending: boolean;
  private readonly arm = new ConsentArmController(this);

  static override styles = [
    shared,
    css`
      ul {
        margin: 0.6em 0;
        padding-inline-start: 1.2em;
        display: flex;
        flex-direction: column;
        gap: 0.5em;
      }
      .detail {
        display: block;
        color: var(--tp-muted);
        font-size: 0.92em;
      }
    `,
  ];

  constructor() {
    super();
    this.open = false;
    this.hasSession = false;
    this.pending = false;
  }

  protected override render() {
    const t = this.t;
    return html`<tp-sheet
      .open=${this.open}
      heading=${t('consentTitle')}
      @tp-sheet-cancel=${() => emitIntent(this, { kind: 'consent-cancel' })}
    >
      <p>${t('consentIntro')}</p>
      <ul id="shared-items">
        <li><strong>${t('consentDiagnostics')}</strong><span class="detail">${t('consentDiagnosticsDetail')}</span></li>
        ${
          this.hasSession
            ? html`<li>
                <strong>${t('consentSession')}</strong><span class="detail">${t('consentSessionDetail')}</span>
              </li>`
            : html`<li class="detail">${t('consentNoSession')}</li>`
        }
      </ul>
      <button slot="actions" id="consent-cancel" @click=${() => emitIntent(this, { kind: 'consent-cancel' })}>
        ${t('cancel')}
      </button>
      <button
        slot="actions"
        id="consent-share"
        class="primary"
        ?disabled=${this.pending || !this.arm.armed}
        @click=${() => emitIntent(this, { kind: 'share' })}
      >
        ${t('share')}
      </button>
    </tp-sheet>`;
  }

  protected override updated(): void {
    this.arm.track(this.open);
  }
}

customElements.define('tp-consent-sheet', TpConsentSheet);
declare global {
  interface HTMLElementTagNameMap {
    'tp-consent-sheet': TpConsentSheet;
  }
}
