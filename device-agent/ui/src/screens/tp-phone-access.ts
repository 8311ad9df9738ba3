import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import QRCode from 'qrcode';
import type { UiPhoneState } from '@touchpoint/protocol';
import { formatClockTime } from '../common/format-clock-time.js';
import { emitIntent } from '../components/intent.js';
import '../components/tp-sheet.js';
import type { Translate } from '../i18n/translator.js';
import { shared } from '../styles/shared.js';

/**
 * The phone's access on the touchscreen (issue 17), in the app bar so it is on every screen: "Use my
 * phone" opens a sheet with a single-use code; while a phone holds access, a marked control says so and
 * ends it with one tap. The code is drawn here into a data URL: it never leaves the device.
 */
export class TpPhoneAccess extends LitElement {
  static override properties = {
    t: { attribute: false },
    locale: {},
    phone: { attribute: false },
    pending: { type: Boolean },
    qr: { state: true },
  };
  declare t: Translate;
  declare locale: string;
  declare phone: UiPhoneState | null;
  declare pending: boolean;
  declare qr: string | undefined;
  private qrFor: string | undefined;

  static override styles = [
    shared,
    css`
      :host {
        display: contents;
      }
      .bar {
        color: var(--tp-on-primary);
        border-color: var(--tp-on-primary);
        background: transparent;
        padding: 0.3em 0.8em;
      }
      .bar.live {
        background: var(--tp-danger);
        border-color: var(--tp-danger);
        font-weight: 700;
      }
      .code {
        display: flex;
        flex-direction: column;
        align-items: center;
        gap: 0.6em;
      }
      .code img {
        width: 220px;
        height: 220px;
        image-rendering: pixelated;
      }
      .muted {
        color: var(--tp-muted);
      }
    `,
  ];

  constructor() {
    super();
    this.locale = 'en';
    this.phone = null;
    this.pending = false;
    this.qr = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('phone')) return;
    const url = this.phone?.status === 'offered' ? this.phone.url : undefined;
    if (url === this.qrFor) return;
    this.qrFor = url;
    this.qr = undefined;
    if (url)
      QRCode.toDataURL(url, { margin: 1, width: 220, errorCorrectionLevel: 'M' })
        .then((data) => {
          if (this.qrFor === url) this.qr = data;
        })
        .catch(() => undefined);
  }

  protected override render() {
    const t = this.t;
    const phone = this.phone;
    if (phone?.status === 'connected')
      return html`<button
        id="phone-end"
        class="bar live"
        ?disabled=${this.pending}
        aria-label=${`${t('phoneConnected')}: ${t('phoneEnd')}`}
        @click=${() => emitIntent(this, { kind: 'phone-end' })}
      >
        ${t('phoneEnd')}
      </button>`;
    const sheetOpen = phone !== null;
    return html`<button
        id="phone-open"
        class="bar"
        ?disabled=${this.pending || sheetOpen}
        @click=${() => emitIntent(this, { kind: 'phone-open' })}
      >
        ${t('phoneOpen')}
      </button>
      <tp-sheet
        .open=${sheetOpen}
        heading=${t('phoneSheetTitle')}
        @tp-sheet-cancel=${() => emitIntent(this, { kind: 'phone-end' })}
      >
        <div class="code" id="phone-code" data-url=${phone?.status === 'offered' ? phone.url : ''}>
          <p>${t('phoneScan')}</p>
          ${
            phone?.status === 'offered' && this.qr
              ? html`<img src=${this.qr} alt=${t('phoneCodeAlt')} />
                  <p class="muted">${t('phoneExpires', { time: formatClockTime(this.locale, phone.expiresAt) })}</p>`
              : html`<p class="muted" role="status">${t('phoneRequesting')}</p>`
          }
        </div>
        ${
          sheetOpen
            ? html`<button slot="actions" id="phone-cancel" @click=${() => emitIntent(this, { kind: 'phone-end' })}>
                ${t('phoneCancel')}
              </button>`
            : nothing
        }
      </tp-sheet>`;
  }
}

customElements.define('tp-phone-access', TpPhoneAccess);
declare global {
  interface HTMLElementTagNameMap {
    'tp-phone-access': TpPhoneAccess;
  }
}
