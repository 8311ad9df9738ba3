import { LitElement, css, html, nothing } from 'lit';
import '@lit-labs/virtualizer';
import type { RangeChangedEvent } from '@lit-labs/virtualizer/events.js';
import { localize, type DeviceHealth, type DeviceSummary, type ProfileView } from '@touchpoint/protocol';
import { formatRelative } from '../common/format-relative.js';
import { pagesForRange } from '../common/page-window.js';
import { routeHref } from '../common/route.js';
import '../components/tpc-badge.js';
import { sharedStyles } from '../components/shared-styles.js';
import { ClockController } from '../controllers/clock-controller.js';
import { FeedController, type LiveFeed } from '../controllers/live-feed.js';
import { listDevices, listProfiles, type DeviceFilter } from '../data/devices.js';
import { LocaleController } from '../i18n/locale-controller.js';
import type { ConsoleLocale } from '../i18n/locale.js';

const PAGE = 100;
const HEALTH_TONE: Record<DeviceHealth, 'ok' | 'info' | 'warning' | 'critical' | 'unknown'> = {
  ok: 'ok',
  info: 'info',
  warning: 'warning',
  critical: 'critical',
  unknown: 'unknown',
};

/**
 * The fleet: every device with live presence and health. The server pages
 * (100 rows a page, loaded as they scroll into view) and a virtualised list
 * renders only the visible rows, so 10,000 devices cost one page.
 */
export class TpFleetPanel extends LitElement {
  static override properties = {
    feed: { attribute: false },
    _rows: { state: true },
    _total: { state: true },
    _filter: { state: true },
    _profiles: { state: true },
    _error: { state: true },
    _loading: { state: true },
  };
  declare feed: LiveFeed | undefined;
  declare _rows: (DeviceSummary | null)[];
  declare _total: number;
  declare _filter: DeviceFilter;
  declare _profiles: ProfileView[];
  declare _error: string | undefined;
  declare _loading: boolean;

  private readonly clock = new ClockController(this, 5000);
  private readonly i18n = new LocaleController(this);
  /** A new row renderer per language, so the virtualizer re-renders its rows on a switch. */
  private rowsFor: { locale: ConsoleLocale; render: (d: DeviceSummary | null, i: number) => unknown } | undefined;
  private loaded = new Set<number>();
  private generation = 0;
  private index = new Map<string, number>();
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private visible = { first: 0, last: 40 };

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: 12px;
        height: calc(100vh - 100px);
      }
      .filters {
        display: flex;
        gap: 8px;
        flex-wrap: wrap;
        align-items: end;
      }
      .filters input[type='search'] {
        min-width: 240px;
      }
      .table {
        flex: 1;
        display: flex;
        flex-direction: column;
        min-height: 300px;
        background: var(--tp-surface);
        border: 1px solid var(--tp-border);
        border-radius: var(--tp-radius);
        overflow: hidden;
      }
      .grid {
        display: grid;
        grid-template-columns: minmax(160px, 1.4fr) 110px minmax(120px, 1fr) 90px 120px 150px 90px;
        align-items: center;
        gap: 8px;
        padding: 0 12px;
      }
      .head {
        font-weight: 600;
        color: var(--tp-text-2);
        font-size: 0.85rem;
        border-bottom: 1px solid var(--tp-border);
        height: 36px;
        background: var(--tp-surface-2);
      }
      lit-virtualizer {
        flex: 1;
      }
      .device {
        height: 44px;
        width: 100%;
        border-bottom: 1px solid var(--tp-surface-2);
        color: inherit;
        text-decoration: none;
      }
      .device:hover {
        background: var(--tp-surface-2);
      }
      .device.placeholder {
        color: var(--tp-text-2);
      }
      .id {
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .presence {
        display: inline-flex;
        align-items: center;
        gap: 6px;
      }
      .presence::before {
        content: '';
        width: 8px;
        height: 8px;
        border-radius: 50%;
        background: #b8c0cc;
      }
      .presence.online::before {
        background: var(--tp-ok);
      }
      .case {
        color: var(--tp-warn);
        font-weight: 600;
      }
      .summary {
        color: var(--tp-text-2);
      }
    `,
  ];

  private readonly feedListener = new FeedController(
    this,
    () => this.feed,
    (e) => {
      switch (e.type) {
        case 'presence':
          this.patch(e.deviceId, { online: e.online, lastSeen: e.at });
          break;
        case 'health':
          this.patch(e.deviceId, { errors: e.errors, link: e.link, health: e.health });
          break;
        case 'case':
          if (this.index.has(e.deviceId)) this.reloadPageOf(e.deviceId);
          break;
        case 'resync-all':
          this.reload();
          break;
        case 'chat':
        case 'command':
        case 'device-event':
        case 'diagnostics':
        case 'help':
        case 'hello':
        case 'resync':
          break;
      }
    },
  );

  constructor() {
    super();
    this._rows = [];
    this._total = 0;
    this._filter = {};
    this._profiles = [];
    this._loading = true;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.reload();
    listProfiles().then(
      (p) => (this._profiles = p),
      () => undefined,
    );
  }

  private patch(deviceId: string, change: Partial<DeviceSummary>) {
    const i = this.index.get(deviceId);
    const row = i === undefined ? undefined : this._rows[i];
    if (i === undefined || !row) return;
    const rows = [...this._rows];
    rows[i] = { ...row, ...change };
    this._rows = rows;
  }

  private reload() {
    this.generation++;
    this.loaded = new Set();
    this.index = new Map();
    void this.loadPage(0, true);
  }

  private reloadPageOf(deviceId: string) {
    const i = this.index.get(deviceId);
    if (i !== undefined) void this.loadPage(Math.floor(i / PAGE), false, true);
  }

  private async loadPage(page: number, reset = false, force = false) {
    if (this.loaded.has(page) && !force) return;
    this.loaded.add(page);
    const generation = this.generation;
    this._loading = true;
    try {
      const res = await listDevices({ ...this._filter, limit: PAGE, offset: page * PAGE });
      if (generation !== this.generation) return;
      this._error = undefined;
      const rows =
        reset || res.total !== this._total
          ? Array.from<DeviceSummary | null>({ length: res.total }).fill(null)
          : [...this._rows];
      if (!reset && res.total !== this._total) {
        // The fleet changed size under us: start over from what is visible.
        this.loaded = new Set([page]);
        this.index = new Map();
      }
      res.items.forEach((d, k) => {
        rows[page * PAGE + k] = d;
        this.index.set(d.id, page * PAGE + k);
      });
      this._total = res.total;
      this._rows = rows;
      if (reset) this.loadVisible();
    } catch (err) {
      this.loaded.delete(page);
      this._error = (err as Error).message;
    } finally {
      if (generation === this.generation) this._loading = false;
    }
  }

  private loadVisible() {
    for (const p of pagesForRange(this.visible.first, this.visible.last, PAGE, this._total, PAGE / 2))
      void this.loadPage(p);
  }

  private onRange(e: RangeChangedEvent) {
    this.visible = { first: e.first, last: e.last };
    this.loadVisible();
  }

  private setFilter(change: Partial<DeviceFilter>, debounce = false) {
    this._filter = { ...this._filter, ...change };
    clearTimeout(this.searchTimer);
    if (debounce) this.searchTimer = setTimeout(() => this.reload(), 250);
    else this.reload();
  }

  private rowRenderer() {
    const locale = this.i18n.locale;
    if (this.rowsFor?.locale !== locale)
      this.rowsFor = { locale, render: (d: DeviceSummary | null, i: number) => this.renderRow(d, i) };
    return this.rowsFor.render;
  }

  private renderRow(d: DeviceSummary | null, i: number) {
    const t = this.i18n.t;
    if (!d)
      return html`<div class="grid device placeholder" role="row" aria-rowindex=${i + 2}>
        <span role="cell">${t('common.loading')}</span>
      </div>`;
    const problem = d.errors.length
      ? d.errors.join(', ')
      : d.link && d.link !== 'up'
        ? t('fleet.link', { state: t(`linkState.${d.link}`) })
        : d.health === 'unknown'
          ? t('fleet.noData')
          : t('fleet.healthy');
    return html`<a
      class="grid device"
      role="row"
      aria-rowindex=${i + 2}
      href=${routeHref({ view: 'device', deviceId: d.id })}
      data-device=${d.id}
    >
      <span class="id" role="cell">${d.id}</span>
      <span role="cell"
        ><span class="presence ${d.online ? 'online' : ''}"
          >${d.online ? t('fleet.online') : t('fleet.offline')}</span
        ></span
      >
      <span role="cell">${d.model}</span>
      <span role="cell" class="mono">${d.firmwareVersion ?? '—'}</span>
      <span role="cell">${formatRelative(d.lastSeen, this.clock.now, this.i18n.locale)}</span>
      <span role="cell"><tpc-badge tone=${HEALTH_TONE[d.health]} label=${problem}></tpc-badge></span>
      <span role="cell"
        >${d.openCases ? html`<span class="case">${t('fleet.openCases', { count: d.openCases })}</span>` : nothing}</span
      >
    </a>`;
  }

  override render() {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    const errorCodes = [
      ...new Map(this._profiles.flatMap((p) => p.errors.map((e) => [e.code, e] as const))).values(),
    ].sort((a, b) => a.code.localeCompare(b.code));
    return html` <div class="row">
        <h1>${t('fleet.title')}</h1>
        <span class="spacer"></span
        ><span class="summary" role="status"
          >${t('fleet.devices', { count: this._total })}${this._loading ? t('fleet.loadingSuffix') : ''}</span
        >
      </div>
      <div class="filters" role="search">
        <label
          >${t('fleet.search')}<input
            type="search"
            placeholder=${t('fleet.searchPlaceholder')}
            .value=${this._filter.search ?? ''}
            @input=${(e: Event) => this.setFilter({ search: (e.target as HTMLInputElement).value.trim() || undefined }, true)}
        /></label>
        <label
          >${t('fleet.model')}<select
            @change=${(e: Event) => this.setFilter({ model: (e.target as HTMLSelectElement).value || undefined })}
          >
            <option value="">${t('fleet.allModels')}</option>
            ${this._profiles.map((p) => html`<option value=${p.model}>${localize(p.name, locale)}</option>`)}
          </select></label
        >
        <label
          >${t('fleet.errorCode')}<select
            @change=${(e: Event) => this.setFilter({ errorCode: (e.target as HTMLSelectElement).value || undefined })}
          >
            <option value="">${t('fleet.anyError')}</option>
            ${errorCodes.map((c) => html`<option value=${c.code}>${c.code} — ${localize(c.label, locale)}</option>`)}
          </select></label
        >
        <label
          >${t('fleet.tag')}<input
            .value=${this._filter.tag ?? ''}
            @change=${(e: Event) => this.setFilter({ tag: (e.target as HTMLInputElement).value.trim() || undefined })}
        /></label>
        <label
          >${t('fleet.presence')}<select
            @change=${(e: Event) => {
              const v = (e.target as HTMLSelectElement).value;
              this.setFilter({ online: v === '' ? undefined : v === 'online' });
            }}
          >
            <option value="">${t('fleet.onlineAndOffline')}</option>
            <option value="online">${t('fleet.online')}</option>
            <option value="offline">${t('fleet.offline')}</option>
          </select></label
        >
      </div>
      ${this._error ? html`<div class="error-box" role="alert">${this._error}</div>` : nothing}
      <div class="table" role="table" aria-label=${t('fleet.table')} aria-rowcount=${this._total + 1}>
        <div class="grid head" role="row" aria-rowindex="1">
          <span role="columnheader">${t('fleet.colDevice')}</span
          ><span role="columnheader">${t('fleet.colPresence')}</span
          ><span role="columnheader">${t('fleet.colModel')}</span
          ><span role="columnheader">${t('fleet.colFirmware')}</span>
          <span role="columnheader">${t('fleet.colLastSeen')}</span
          ><span role="columnheader">${t('fleet.colHealth')}</span
          ><span role="columnheader">${t('fleet.colCase')}</span>
        </div>
        ${this._total === 0 && !this._loading ? html`<p class="muted pad">${t('fleet.noMatch')}</p>` : html`<lit-virtualizer scroller .items=${this._rows} .renderItem=${this.rowRenderer()} @rangeChanged=${this.onRange}></lit-virtualizer>`}
      </div>`;
  }
}
customElements.define('tpc-fleet-panel', TpFleetPanel);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-fleet-panel': TpFleetPanel;
  }
}
