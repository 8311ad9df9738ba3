import { LitElement, css, html, nothing } from 'lit';
import type { DeliveryAttempt, DeliveryStatus, DeliveryView } from '@touchpoint/protocol';
import './tpc-badge.js';
import { listTable } from './list-table.js';
import type { BadgeTone } from './tpc-badge.js';
import { sharedStyles } from './shared-styles.js';
import { formatTime } from '../common/format-time.js';
import { listDeliveries, replayDelivery } from '../data/webhooks.js';
import { LocaleController } from '../i18n/locale-controller.js';

const TONE: Record<DeliveryStatus, BadgeTone> = { pending: 'info', delivered: 'ok', dead: 'critical' };

/**
 * Recent webhook deliveries with every attempt (status, duration, error, next attempt), filtered to the
 * waiting ones or the dead-letter list, and a replay of any delivery (issue 17). Admin only, as its panel.
 */
export class TpWebhookDeliveries extends LitElement {
  static override properties = {
    _items: { state: true },
    _filter: { state: true },
    _error: { state: true },
    _notice: { state: true },
    _busy: { state: true },
  };
  declare _items: DeliveryView[] | undefined;
  declare _filter: DeliveryStatus | '';
  declare _error: string | undefined;
  declare _notice: string | undefined;
  declare _busy: boolean;
  private readonly i18n = new LocaleController(this);

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      ol {
        margin: 0;
        padding-left: 1.2em;
        font-size: 0.85rem;
      }
      td.when {
        white-space: nowrap;
      }
    `,
  ];

  constructor() {
    super();
    this._filter = '';
    this._busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  /** Loads the list again (the panel calls it after a change to the endpoints). */
  async load(): Promise<void> {
    try {
      this._items = await listDeliveries(this._filter || undefined);
      this._error = undefined;
      // The panel updates its endpoints' queue counts with the list.
      this.dispatchEvent(new CustomEvent('tpc-deliveries-loaded', { bubbles: true, composed: true }));
    } catch (err) {
      this._error = (err as Error).message;
    }
  }

  private readonly onFilter = (e: Event) => {
    this._filter = (e.target as HTMLSelectElement).value as DeliveryStatus | '';
    void this.load();
  };

  private async replay(d: DeliveryView) {
    this._busy = true;
    this._notice = undefined;
    try {
      const { delivery } = await replayDelivery(d.id);
      this._notice = this.i18n.t('webhooks.replayed', { id: d.id, replay: delivery.id });
      await this.load();
    } catch (err) {
      this._error = (err as Error).message;
    } finally {
      this._busy = false;
    }
  }

  private attempt(a: DeliveryAttempt) {
    const t = this.i18n.t;
    const outcome =
      a.statusCode !== null && a.error === null
        ? t('webhooks.attemptOk', { status: a.statusCode })
        : t('webhooks.attemptFailed', { error: a.error ?? '' });
    return html`<li data-attempt=${a.attempt}>
      ${t('webhooks.attemptLine', {
        attempt: a.attempt,
        time: formatTime(a.at, this.i18n.locale),
        outcome,
        ms: a.durationMs,
      })}${
        a.nextAttemptAt !== null
          ? html` ·
              <span class="muted"
                >${t('webhooks.nextAttempt', { time: formatTime(a.nextAttemptAt, this.i18n.locale) })}</span
              >`
          : nothing
      }
    </li>`;
  }

  private row(d: DeliveryView) {
    const t = this.i18n.t;
    return html`<tr data-delivery=${d.id} data-status=${d.status}>
      <td class="when">
        #${d.id} · ${formatTime(d.createdAt, this.i18n.locale)}
        ${d.replayOf !== null ? html`<div class="muted">${t('webhooks.replayOf', { id: d.replayOf })}</div>` : nothing}
      </td>
      <td class="mono">${d.endpointName}</td>
      <td>
        ${t(`webhooks.event.${d.eventType}`)}
        <div class="muted mono">${d.eventId}</div>
      </td>
      <td><tpc-badge tone=${TONE[d.status]} label=${t(`webhooks.status.${d.status}`)}></tpc-badge></td>
      <td>
        ${
          d.attempts.length
            ? html`<ol>
                ${d.attempts.map((a) => this.attempt(a))}
              </ol>`
            : html`<span class="muted">${t('webhooks.noAttempts')}</span>`
        }
      </td>
      <td>
        <button class="replay" ?disabled=${this._busy} @click=${() => void this.replay(d)}>
          ${t('webhooks.replay')}
        </button>
      </td>
    </tr>`;
  }

  override render() {
    const t = this.i18n.t;
    return html`<section class="card">
      <div class="row">
        <h2>${t('webhooks.deliveries')}</h2>
        <span class="spacer"></span>
        <label
          >${t('webhooks.filter')}
          <select data-testid="delivery-filter" @change=${this.onFilter}>
            <option value="" ?selected=${this._filter === ''}>${t('webhooks.filterAll')}</option>
            <option value="pending" ?selected=${this._filter === 'pending'}>${t('webhooks.filterPending')}</option>
            <option value="dead" ?selected=${this._filter === 'dead'}>${t('webhooks.filterDead')}</option>
          </select></label
        >
        <button class="refresh" @click=${() => void this.load()}>${t('webhooks.refresh')}</button>
      </div>
      ${this._error ? html`<div class="error-box" role="alert">${this._error}</div>` : nothing}
      ${this._notice ? html`<div class="muted" role="status" data-notice>${this._notice}</div>` : nothing}
      ${listTable({
        items: this._items,
        loading: t('webhooks.loading'),
        empty: t('webhooks.noDeliveries'),
        columns: [
          t('webhooks.colQueued'),
          t('webhooks.colEndpoint'),
          t('webhooks.colEvent'),
          t('webhooks.colStatus'),
          t('webhooks.colAttempts'),
          { hidden: t('webhooks.colActions') },
        ],
        row: (d) => this.row(d),
      })}
    </section>`;
  }
}
customElements.define('tpc-webhook-deliveries', TpWebhookDeliveries);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-webhook-deliveries': TpWebhookDeliveries;
  }
  interface HTMLElementEventMap {
    'tpc-deliveries-loaded': CustomEvent<undefined>;
  }
}
