import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { CaseHistoryItem } from '@touchpoint/protocol';
import { CASE_STATUS_TONE } from '../common/case-status-tone.js';
import { formatTime } from '../common/format-time.js';
import { routeHref } from '../common/route.js';
import { fetchCaseHistory } from '../data/case-history.js';
import { LocaleController } from '../i18n/locale-controller.js';
import './tpc-badge.js';
import { sharedStyles } from './shared-styles.js';

const PAGE = 10;

/**
 * A device's case history on its page (issue 16): every case it opened, in
 * every status, newest request first, ten at a time, each linked to the case.
 */
export class TpDeviceCases extends LitElement {
  static override properties = {
    deviceId: {},
    _items: { state: true },
    _total: { state: true },
    _error: { state: true },
    _loaded: { state: true },
  };
  declare deviceId: string;
  declare _items: CaseHistoryItem[];
  declare _total: number;
  declare _error: string | undefined;
  declare _loaded: boolean;

  private readonly i18n = new LocaleController(this);
  private generation = 0;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .scroll {
        overflow-x: auto;
      }
      td {
        white-space: nowrap;
      }
      td.reason {
        white-space: normal;
        overflow-wrap: anywhere;
      }
    `,
  ];

  constructor() {
    super();
    this.deviceId = '';
    this._items = [];
    this._total = 0;
    this._loaded = false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('deviceId')) {
      this._items = [];
      this._total = 0;
      this._loaded = false;
      if (this.deviceId) void this.load(0);
    }
  }

  private async load(offset: number) {
    const generation = ++this.generation;
    try {
      const page = await fetchCaseHistory({ deviceId: this.deviceId, limit: PAGE, offset });
      if (generation !== this.generation) return;
      this._items = offset === 0 ? page.items : [...this._items, ...page.items];
      this._total = page.total;
      this._error = undefined;
    } catch (err) {
      if (generation === this.generation) this._error = (err as Error).message;
    } finally {
      if (generation === this.generation) this._loaded = true;
    }
  }

  override render() {
    const locale = this.i18n.locale;
    const t = this.i18n.t;
    return html`<section class="card" aria-labelledby="device-cases-h">
      <div class="row mb">
        <h2 id="device-cases-h">${t('cases.deviceHistory')}</h2>
        <span class="spacer"></span>
        ${this._total ? html`<span class="muted">${t('cases.deviceShown', { shown: this._items.length, total: this._total })}</span>` : nothing}
      </div>
      ${this._error ? html`<div class="error-box" role="alert">${this._error}</div>` : nothing}
      ${
        this._loaded && !this._items.length && !this._error
          ? html`<p class="muted">${t('cases.deviceNone')}</p>`
          : html`<div class="scroll">
              <table aria-labelledby="device-cases-h">
                <thead>
                  <tr>
                    <th>${t('cases.colRequested')}</th>
                    <th>${t('cases.colCase')}</th>
                    <th>${t('cases.colReason')}</th>
                    <th>${t('cases.colFlow')}</th>
                    <th>${t('cases.colErrors')}</th>
                    <th>${t('cases.colStatus')}</th>
                    <th>${t('cases.colClaimed')}</th>
                    <th>${t('cases.colResolved')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${this._items.map(
                    (c) =>
                      html`<tr data-case=${c.id}>
                        <td>${formatTime(c.openedAt, locale)}</td>
                        <td class="mono"><a href=${routeHref({ view: 'queue', caseId: c.id })}>${c.id}</a></td>
                        <td class="reason">${c.reason}</td>
                        <td class="mono">${c.flowId ?? ''}</td>
                        <td class="mono">${c.errorCodes.join(', ')}</td>
                        <td>
                          <tpc-badge
                            tone=${CASE_STATUS_TONE[c.status]}
                            label=${t(`cases.status.${c.status}`)}
                          ></tpc-badge>
                        </td>
                        <td>${c.assignee?.displayName ?? ''}</td>
                        <td>${c.resolvedBy?.displayName ?? ''}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
      ${
        this._items.length < this._total
          ? html`<button type="button" class="mt" @click=${() => void this.load(this._items.length)}>
              ${t('cases.more')}
            </button>`
          : nothing
      }
    </section>`;
  }
}
customElements.define('tpc-device-cases', TpDeviceCases);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-device-cases': TpDeviceCases;
  }
}
