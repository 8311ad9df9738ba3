import { LitElement, css, html, nothing } from 'lit';
import type {
  CaseExportRequest,
  CaseHistoryFilter,
  CaseHistoryItem,
  CaseHistoryOptions,
  CaseStatus,
  ExportFormat,
} from '@touchpoint/protocol';
import { CASE_STATUS_TONE } from '../common/case-status-tone.js';
import { dayEnd, dayStart } from '../common/day-range.js';
import { formatTime } from '../common/format-time.js';
import { routeHref } from '../common/route.js';
import '../components/tpc-badge.js';
import { sharedStyles } from '../components/shared-styles.js';
import { FeedController, type LiveFeed } from '../controllers/live-feed.js';
import { exportCases, fetchCaseHistory, fetchCaseHistoryOptions, saveDownload } from '../data/case-history.js';
import type { Download } from '../data/api.js';
import { LocaleController } from '../i18n/locale-controller.js';
import type { MessageKey } from '../i18n/translator.js';

const PAGE = 50;
const STATUSES: readonly CaseStatus[] = ['open', 'claimed', 'resolved', 'closed'];

/** The filter form's values as typed (dates as `yyyy-mm-dd`); the API gets them as a CaseHistoryFilter. */
interface FormFilter {
  search: string;
  status: string;
  deviceId: string;
  model: string;
  errorCode: string;
  flowId: string;
  staffId: string;
  from: string;
  to: string;
}
const EMPTY: FormFilter = {
  search: '',
  status: '',
  deviceId: '',
  model: '',
  errorCode: '',
  flowId: '',
  staffId: '',
  from: '',
  to: '',
};

function apiFilter(f: FormFilter): CaseHistoryFilter {
  const text = (v: string) => v.trim() || undefined;
  return {
    search: text(f.search),
    status: (STATUSES as readonly string[]).includes(f.status) ? (f.status as CaseStatus) : undefined,
    deviceId: text(f.deviceId),
    model: text(f.model),
    errorCode: text(f.errorCode),
    flowId: text(f.flowId),
    staffId: text(f.staffId),
    from: dayStart(f.from),
    to: dayEnd(f.to),
  };
}

/**
 * The case history (issue 16): every case in every status, searched and
 * filtered on the server (device, model, error code, flow, staff, status,
 * request time), 50 a page, newest request first. Cases are selected across
 * pages and exported as CSV or JSON, or every case the filters match.
 */
export class TpCasesPanel extends LitElement {
  static override properties = {
    feed: { attribute: false },
    _items: { state: true },
    _total: { state: true },
    _offset: { state: true },
    _form: { state: true },
    _options: { state: true },
    _selected: { state: true },
    _error: { state: true },
    _loading: { state: true },
    _notice: { state: true },
    _exporting: { state: true },
  };
  declare feed: LiveFeed | undefined;
  declare _items: CaseHistoryItem[];
  declare _total: number;
  declare _offset: number;
  declare _form: FormFilter;
  declare _options: CaseHistoryOptions;
  declare _selected: ReadonlySet<string>;
  declare _error: string | undefined;
  declare _loading: boolean;
  declare _notice: { text: string; warn: boolean } | undefined;
  declare _exporting: boolean;

  private readonly i18n = new LocaleController(this);
  private generation = 0;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private liveTimer: ReturnType<typeof setTimeout> | undefined;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 12px;
      }
      .filters {
        display: flex;
        gap: 8px;
        flex-wrap: wrap;
        align-items: end;
      }
      .filters input[type='search'] {
        min-width: 220px;
      }
      .filters input:not([type]) {
        width: 130px;
      }
      .card {
        padding: 0;
        overflow-x: auto;
      }
      /* Eleven columns fit 1280 px wide without scrolling; only the reason wraps, between words. */
      table {
        font-size: 0.88rem;
      }
      th,
      td {
        white-space: nowrap;
        padding: 6px;
      }
      th {
        white-space: normal;
      }
      /* The request time breaks after the date. */
      td.when {
        white-space: normal;
        min-width: 7.5em;
      }
      td.reason {
        white-space: normal;
        min-width: 110px;
        max-width: 260px;
        overflow-wrap: break-word;
      }
      tr.selected td {
        background: var(--tp-info-bg);
      }
      .bar {
        display: flex;
        gap: 8px;
        align-items: center;
        flex-wrap: wrap;
      }
      .group {
        display: inline-flex;
        gap: 4px;
        align-items: center;
      }
      .summary {
        color: var(--tp-text-2);
      }
    `,
  ];

  private readonly live = new FeedController(
    this,
    () => this.feed,
    (e) => {
      // A case opened or moved: refresh the page in view, once for a burst.
      if (e.type === 'case' || e.type === 'resync-all') {
        clearTimeout(this.liveTimer);
        this.liveTimer = setTimeout(() => void this.load(), 300);
      }
    },
  );

  constructor() {
    super();
    this._items = [];
    this._total = 0;
    this._offset = 0;
    this._form = { ...EMPTY };
    this._options = { models: [], flows: [], errorCodes: [], staff: [] };
    this._selected = new Set();
    this._loading = true;
    this._exporting = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    fetchCaseHistoryOptions().then(
      (o) => (this._options = o),
      () => undefined,
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.searchTimer);
    clearTimeout(this.liveTimer);
  }

  private async load() {
    const generation = ++this.generation;
    this._loading = true;
    try {
      const page = await fetchCaseHistory({ ...apiFilter(this._form), limit: PAGE, offset: this._offset });
      if (generation !== this.generation) return;
      this._items = page.items;
      this._total = page.total;
      this._error = undefined;
    } catch (err) {
      if (generation === this.generation) this._error = (err as Error).message;
    } finally {
      if (generation === this.generation) this._loading = false;
    }
  }

  private setFilter(change: Partial<FormFilter>, debounce = false) {
    this._form = { ...this._form, ...change };
    this._offset = 0;
    clearTimeout(this.searchTimer);
    if (debounce) this.searchTimer = setTimeout(() => void this.load(), 250);
    else void this.load();
  }

  private reset() {
    this._form = { ...EMPTY };
    this._offset = 0;
    void this.load();
  }

  private page(delta: number) {
    this._offset = Math.max(0, this._offset + delta * PAGE);
    void this.load();
  }

  private toggle(id: string, on: boolean) {
    const next = new Set(this._selected);
    if (on) next.add(id);
    else next.delete(id);
    this._selected = next;
  }

  private togglePage(on: boolean) {
    const next = new Set(this._selected);
    for (const c of this._items) {
      if (on) next.add(c.id);
      else next.delete(c.id);
    }
    this._selected = next;
  }

  private async export(format: ExportFormat, selectedOnly: boolean) {
    const request: CaseExportRequest = selectedOnly
      ? { format, ids: [...this._selected] }
      : { format, filter: apiFilter(this._form) };
    this._exporting = true;
    try {
      this.exported(await exportCases(request));
    } catch (err) {
      this._notice = { text: this.i18n.t('export.failed', { message: (err as Error).message }), warn: true };
    } finally {
      this._exporting = false;
    }
  }

  private exported(file: Download) {
    saveDownload(file);
    const params = { count: file.rows, file: file.fileName };
    this._notice = file.truncated
      ? { text: this.i18n.t('export.truncated', params), warn: true }
      : { text: this.i18n.t('export.done', params), warn: false };
  }

  private select<K extends keyof FormFilter>(key: K, label: MessageKey, any: MessageKey, values: [string, string][]) {
    return html`<label
      >${this.i18n.t(label)}<select
        name=${key}
        .value=${this._form[key]}
        @change=${(e: Event) => this.setFilter({ [key]: (e.target as HTMLSelectElement).value })}
      >
        <option value="">${this.i18n.t(any)}</option>
        ${values.map(([value, name]) => html`<option value=${value} ?selected=${this._form[key] === value}>${name}</option>`)}
      </select></label
    >`;
  }

  private renderFilters() {
    const f = this._form;
    const o = this._options;
    const pairs = (values: string[]): [string, string][] => values.map((v) => [v, v]);
    return html`<form
      class="filters"
      role="search"
      aria-label=${this.i18n.t('cases.filters')}
      @submit=${(e: Event) => e.preventDefault()}
    >
      <label
        >${this.i18n.t('cases.search')}<input
          type="search"
          name="search"
          placeholder=${this.i18n.t('cases.searchPlaceholder')}
          .value=${f.search}
          @input=${(e: Event) => this.setFilter({ search: (e.target as HTMLInputElement).value }, true)}
      /></label>
      ${this.select(
        'status',
        'cases.status',
        'cases.anyStatus',
        STATUSES.map((s) => [s, this.i18n.t(`cases.status.${s}`)]),
      )}
      <label
        >${this.i18n.t('cases.device')}<input
          name="deviceId"
          placeholder=${this.i18n.t('cases.devicePlaceholder')}
          .value=${f.deviceId}
          @change=${(e: Event) => this.setFilter({ deviceId: (e.target as HTMLInputElement).value })}
      /></label>
      ${this.select('model', 'cases.model', 'cases.anyModel', pairs(o.models))}
      ${this.select('errorCode', 'cases.errorCode', 'cases.anyError', pairs(o.errorCodes))}
      ${this.select('flowId', 'cases.flow', 'cases.anyFlow', pairs(o.flows))}
      ${this.select(
        'staffId',
        'cases.staff',
        'cases.anyStaff',
        o.staff.map((s) => [s.id, s.displayName]),
      )}
      <label
        >${this.i18n.t('cases.from')}<input
          type="date"
          name="from"
          .value=${f.from}
          @change=${(e: Event) => this.setFilter({ from: (e.target as HTMLInputElement).value })}
      /></label>
      <label
        >${this.i18n.t('cases.to')}<input
          type="date"
          name="to"
          .value=${f.to}
          @change=${(e: Event) => this.setFilter({ to: (e.target as HTMLInputElement).value })}
      /></label>
      <button type="button" class="end" @click=${this.reset}>${this.i18n.t('cases.reset')}</button>
    </form>`;
  }

  private renderExport() {
    const n = this._selected.size;
    const busy = this._exporting;
    return html`<div class="bar">
      <span role="status" class="summary">${this.i18n.t('cases.selected', { count: n })}</span>
      ${n ? html`<button type="button" @click=${() => (this._selected = new Set())}>${this.i18n.t('cases.clearSelection')}</button>` : nothing}
      <span class="spacer"></span>
      <span class="group" role="group" aria-label=${this.i18n.t('cases.exportSelected')}>
        ${this.i18n.t('cases.exportSelected')}
        <button
          type="button"
          data-export="selected-csv"
          aria-label=${this.i18n.t('cases.exportSelectedCsv')}
          ?disabled=${!n || busy}
          @click=${() => void this.export('csv', true)}
        >
          ${this.i18n.t('export.csv')}
        </button>
        <button
          type="button"
          data-export="selected-json"
          aria-label=${this.i18n.t('cases.exportSelectedJson')}
          ?disabled=${!n || busy}
          @click=${() => void this.export('json', true)}
        >
          ${this.i18n.t('export.json')}
        </button>
      </span>
      <span class="group" role="group" aria-label=${this.i18n.t('cases.exportMatching')}>
        ${this.i18n.t('cases.exportMatching')}
        <button
          type="button"
          data-export="matching-csv"
          aria-label=${this.i18n.t('cases.exportMatchingCsv')}
          ?disabled=${!this._total || busy}
          @click=${() => void this.export('csv', false)}
        >
          ${this.i18n.t('export.csv')}
        </button>
        <button
          type="button"
          data-export="matching-json"
          aria-label=${this.i18n.t('cases.exportMatchingJson')}
          ?disabled=${!this._total || busy}
          @click=${() => void this.export('json', false)}
        >
          ${this.i18n.t('export.json')}
        </button>
      </span>
    </div>`;
  }

  private renderRow(c: CaseHistoryItem) {
    const locale = this.i18n.locale;
    const selected = this._selected.has(c.id);
    return html`<tr data-case=${c.id} class=${selected ? 'selected' : ''}>
      <td>
        <input
          type="checkbox"
          aria-label=${this.i18n.t('cases.selectCase', { id: c.id })}
          .checked=${selected}
          @change=${(e: Event) => this.toggle(c.id, (e.target as HTMLInputElement).checked)}
        />
      </td>
      <td class="when">${formatTime(c.openedAt, locale)}</td>
      <td class="mono"><a href=${routeHref({ view: 'queue', caseId: c.id })}>${c.id}</a></td>
      <td><a href=${routeHref({ view: 'device', deviceId: c.deviceId })}>${c.deviceId}</a></td>
      <td>${c.model ?? ''}</td>
      <td class="reason">${c.reason}</td>
      <td class="mono">${c.flowId ?? ''}</td>
      <td class="mono">${c.errorCodes.join(', ')}</td>
      <td>
        <tpc-badge tone=${CASE_STATUS_TONE[c.status]} label=${this.i18n.t(`cases.status.${c.status}`)}></tpc-badge>
      </td>
      <td>${c.assignee?.displayName ?? ''}</td>
      <td>${c.resolvedBy?.displayName ?? ''}</td>
    </tr>`;
  }

  override render() {
    const items = this._items;
    const pageSelected = items.length > 0 && items.every((c) => this._selected.has(c.id));
    const filtered = Object.values(apiFilter(this._form)).some((v) => v !== undefined);
    const first = this._total ? this._offset + 1 : 0;
    const last = this._offset + items.length;
    return html`<div class="row">
        <h1>${this.i18n.t('cases.title')}</h1>
        <span class="spacer"></span>
        <span class="summary" role="status"
          >${this.i18n.t('cases.count', { count: this._total })}${this._loading ? ` · ${this.i18n.t('common.loading')}` : ''}</span
        >
      </div>
      ${this.renderFilters()} ${this._error ? html`<div class="error-box" role="alert">${this._error}</div>` : nothing}
      ${this.renderExport()}
      ${this._notice ? html`<div class=${this._notice.warn ? 'notice' : 'muted'} role="status">${this._notice.text}</div>` : nothing}
      <div class="card">
        <table aria-label=${this.i18n.t('cases.title')}>
          <thead>
            <tr>
              <th>
                <input
                  type="checkbox"
                  aria-label=${this.i18n.t('cases.selectPage')}
                  .checked=${pageSelected}
                  ?disabled=${!items.length}
                  @change=${(e: Event) => this.togglePage((e.target as HTMLInputElement).checked)}
                />
              </th>
              <th>${this.i18n.t('cases.colRequested')}</th>
              <th>${this.i18n.t('cases.colCase')}</th>
              <th>${this.i18n.t('cases.colDevice')}</th>
              <th>${this.i18n.t('cases.colModel')}</th>
              <th>${this.i18n.t('cases.colReason')}</th>
              <th>${this.i18n.t('cases.colFlow')}</th>
              <th>${this.i18n.t('cases.colErrors')}</th>
              <th>${this.i18n.t('cases.colStatus')}</th>
              <th>${this.i18n.t('cases.colClaimed')}</th>
              <th>${this.i18n.t('cases.colResolved')}</th>
            </tr>
          </thead>
          <tbody>
            ${items.map((c) => this.renderRow(c))}
          </tbody>
        </table>
        ${!items.length && !this._loading ? html`<p class="muted pad">${this.i18n.t(filtered ? 'cases.noMatch' : 'cases.none')}</p>` : nothing}
      </div>
      <nav class="bar" aria-label=${this.i18n.t('cases.title')}>
        <span class="summary">${this.i18n.t('cases.range', { first, last, total: this._total })}</span>
        <button type="button" ?disabled=${this._offset === 0} @click=${() => this.page(-1)}>
          ${this.i18n.t('cases.previous')}
        </button>
        <button type="button" ?disabled=${last >= this._total} @click=${() => this.page(1)}>
          ${this.i18n.t('cases.next')}
        </button>
      </nav>`;
  }
}
customElements.define('tpc-cases-panel', TpCasesPanel);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-cases-panel': TpCasesPanel;
  }
}
