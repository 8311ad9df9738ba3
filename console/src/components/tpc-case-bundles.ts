import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { BundleStatus, BundleSummary } from '@touchpoint/protocol';
import { formatTime } from '../common/format-time.js';
import { bundleDownloadHref, fetchBundles, requestBundle } from '../data/bundles.js';
import { LocaleController } from '../i18n/locale-controller.js';
import './tpc-badge.js';
import { sharedStyles } from './shared-styles.js';

const TONE: Record<BundleStatus, 'info' | 'ok' | 'warning' | 'critical'> = {
  requested: 'info',
  stored: 'ok',
  refused: 'warning',
  expired: 'warning',
  failed: 'critical',
};
/** While the customer decides, the list is read again this often (the answer arrives from the device). */
const WAITING_REFRESH_MS = 2_000;

/**
 * A case's support bundles (issue 17): request one from the device (agents and admins), see whether the
 * customer sent it, refused, or let it expire, and download a stored one as a JSON file.
 */
export class TpCaseBundles extends LitElement {
  static override properties = {
    caseId: {},
    canRequest: { type: Boolean },
    _items: { state: true },
    _error: { state: true },
    _busy: { state: true },
  };
  declare caseId: string;
  declare canRequest: boolean;
  declare _items: BundleSummary[];
  declare _error: string | undefined;
  declare _busy: boolean;

  private readonly i18n = new LocaleController(this);
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      ul {
        list-style: none;
        padding: 0;
        margin: 8px 0 0;
        display: grid;
        gap: 6px;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        align-items: center;
      }
    `,
  ];

  constructor() {
    super();
    this.caseId = '';
    this.canRequest = false;
    this._items = [];
    this._busy = false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('caseId')) {
      this._items = [];
      this._error = undefined;
      if (this.caseId) void this.load();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.caseId && this.timer === undefined) void this.load();
  }

  private async load(): Promise<void> {
    const generation = ++this.generation;
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      const items = await fetchBundles(this.caseId);
      if (generation !== this.generation) return;
      this._items = items;
      this._error = undefined;
      if (this.isConnected && items.some((b) => b.status === 'requested'))
        this.timer = setTimeout(() => void this.load(), WAITING_REFRESH_MS);
    } catch (err) {
      if (generation === this.generation) this._error = (err as Error).message;
    }
  }

  private async request(): Promise<void> {
    this._busy = true;
    try {
      await requestBundle(this.caseId);
      await this.load();
    } catch (err) {
      this._error = (err as Error).message;
    } finally {
      this._busy = false;
    }
  }

  override render() {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    return html`<div class="row">
        ${
          this.canRequest
            ? html`<button id="bundle-request" ?disabled=${this._busy} @click=${() => void this.request()}>
                ${t('bundles.request')}
              </button>`
            : nothing
        }
        <span class="muted">${t('bundles.hint')}</span>
      </div>
      ${this._error ? html`<div class="error-box" role="alert">${this._error}</div>` : nothing}
      ${
        this._items.length === 0
          ? html`<p class="muted">${t('bundles.none')}</p>`
          : html`<ul aria-label=${t('bundles.title')}>
              ${this._items.map(
                (b) =>
                  html`<li data-bundle=${b.id} data-status=${b.status}>
                    <tpc-badge tone=${TONE[b.status]} label=${t(`bundles.status.${b.status}`)}></tpc-badge>
                    <span
                      >${t('bundles.requestedBy', { name: b.requestedBy.displayName, at: formatTime(b.requestedAt, locale) })}</span
                    >
                    ${b.reason ? html`<span class="muted">${b.reason}</span>` : nothing}
                    ${
                      b.status === 'stored'
                        ? html`<a
                            class="download"
                            href=${bundleDownloadHref(b.caseId, b.id)}
                            download=${`bundle-${b.caseId}-${b.id}.json`}
                            >${t('bundles.download', { kib: Math.max(1, Math.round((b.sizeBytes ?? 0) / 1024)) })}</a
                          >`
                        : nothing
                    }
                  </li>`,
              )}
            </ul>`
      }`;
  }
}

customElements.define('tpc-case-bundles', TpCaseBundles);
declare global {
  interface HTMLElementTagNameMap {
    'tpc-case-bundles': TpCaseBundles;
  }
}
