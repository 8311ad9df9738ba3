import { LitElement, css, html, nothing } from 'lit';
import { staffRoleSchema, type AuditEntryView, type ExportFormat } from '@touchpoint/protocol';
import { formatTime } from '../common/format-time.js';
import { routeHref } from '../common/route.js';
import '../components/tpc-badge.js';
import { sharedStyles } from '../components/shared-styles.js';
import { fetchAudit } from '../data/audit.js';
import { exportAudit, saveDownload } from '../data/case-history.js';
import { LocaleController } from '../i18n/locale-controller.js';

/** Who did what to which device, and when: logins, refusals, fixes, case work, views. Newest first. */
export class TpAuditPanel extends LitElement {
  static override properties = {
    _items: { state: true },
    _cursor: { state: true },
    _filter: { state: true },
    _error: { state: true },
    _notice: { state: true },
    _exporting: { state: true },
    _loaded: { state: true },
  };
  declare _items: AuditEntryView[];
  declare _cursor: string | null;
  declare _filter: { deviceId?: string; action?: string };
  declare _error: string | undefined;
  declare _notice: { text: string; warn: boolean } | undefined;
  declare _exporting: boolean;
  declare _loaded: boolean;

  private readonly i18n = new LocaleController(this);

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 12px;
      }
      .card {
        padding: 0;
        overflow-x: auto;
      }
      td.detail {
        color: var(--tp-text-2);
        font-size: 0.85rem;
        max-width: 420px;
        overflow-wrap: anywhere;
      }
      td {
        white-space: nowrap;
      }
      td.detail {
        white-space: normal;
      }
    `,
  ];

  constructor() {
    super();
    this._items = [];
    this._cursor = null;
    this._filter = {};
    this._exporting = false;
    this._loaded = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load(true);
  }

  private async load(reset: boolean) {
    try {
      const page = await fetchAudit({ ...this._filter, before: reset ? undefined : (this._cursor ?? undefined) });
      this._items = reset ? page.items : [...this._items, ...page.items];
      this._cursor = page.nextCursor;
      this._error = undefined;
    } catch (err) {
      this._error = (err as Error).message;
    } finally {
      this._loaded = true;
    }
  }

  /** A known role in the console's language; a role this console does not know is shown as stored. */
  private roleName(role: string): string {
    const known = staffRoleSchema.safeParse(role);
    return known.success ? this.i18n.t(`role.${known.data}`) : role;
  }

  /** The applied filter (device, action), as a file: every export is audited by the broker (issue 16). */
  private async export(format: ExportFormat) {
    this._exporting = true;
    try {
      const file = await exportAudit({ format, ...this._filter });
      saveDownload(file);
      const params = { count: file.rows, file: file.fileName };
      this._notice = file.truncated
        ? { text: this.i18n.t('export.truncated', params), warn: true }
        : { text: this.i18n.t('export.done', params), warn: false };
    } catch (err) {
      this._notice = { text: this.i18n.t('export.failed', { message: (err as Error).message }), warn: true };
    } finally {
      this._exporting = false;
    }
  }

  private apply(e: SubmitEvent) {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const deviceId = String(form.get('deviceId') ?? '').trim();
    const action = String(form.get('action') ?? '').trim();
    this._filter = { ...(deviceId ? { deviceId } : {}), ...(action ? { action } : {}) };
    void this.load(true);
  }

  override render() {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    return html` <h1>${t('audit.title')}</h1>
      <form class="row" @submit=${this.apply} role="search" aria-label=${t('audit.filters')}>
        <label>${t('audit.device')}<input name="deviceId" placeholder=${t('audit.devicePlaceholder')} /></label>
        <label
          >${t('audit.action')}<input name="action" placeholder=${t('audit.actionPlaceholder')} list="actions"
        /></label>
        <datalist id="actions">
          ${['staff.login', 'staff.logout', 'command.send', 'case.update', 'case.note', 'case.view', 'device.view', 'device.live', 'device.provision', 'staff.create', 'staff.update', 'video.request'].map((a) => html`<option value=${a}></option>`)}
        </datalist>
        <button class="end" type="submit">${t('audit.filter')}</button>
        <span class="spacer"></span>
        <span class="row end" role="group" aria-label=${this.i18n.t('audit.export')}>
          ${this.i18n.t('audit.export')}
          <button
            type="button"
            data-export="audit-csv"
            aria-label=${this.i18n.t('audit.exportCsv')}
            ?disabled=${this._exporting}
            @click=${() => void this.export('csv')}
          >
            ${this.i18n.t('export.csv')}
          </button>
          <button
            type="button"
            data-export="audit-json"
            aria-label=${this.i18n.t('audit.exportJson')}
            ?disabled=${this._exporting}
            @click=${() => void this.export('json')}
          >
            ${this.i18n.t('export.json')}
          </button>
        </span>
      </form>
      ${this._notice ? html`<div class=${this._notice.warn ? 'notice' : 'muted'} role="status">${this._notice.text}</div>` : nothing}
      ${this._error ? html`<div class="error-box" role="alert">${this._error}</div>` : nothing}
      <div class="card">
        <table aria-label=${t('audit.table')}>
          <thead>
            <tr>
              <th>${t('audit.colWhen')}</th>
              <th>${t('audit.colWho')}</th>
              <th>${t('audit.colAction')}</th>
              <th>${t('audit.colDevice')}</th>
              <th>${t('audit.colTarget')}</th>
              <th>${t('audit.colOutcome')}</th>
              <th>${t('audit.colDetail')}</th>
            </tr>
          </thead>
          <tbody>
            ${this._items.map(
              (r) =>
                html`<tr data-action=${r.action}>
                  <td>${formatTime(r.at, locale)}</td>
                  <td>
                    ${r.actorName ?? r.actor}${r.actorRole ? html` <span class="muted">(${this.roleName(r.actorRole)})</span>` : nothing}
                  </td>
                  <td class="mono">${r.action}</td>
                  <td>
                    ${r.deviceId ? html`<a href=${routeHref({ view: 'device', deviceId: r.deviceId })}>${r.deviceId}</a>` : ''}
                  </td>
                  <td class="mono">${r.target ?? ''}</td>
                  <td>
                    <tpc-badge
                      tone=${r.outcome === 'ok' ? 'ok' : r.outcome === 'refused' ? 'warning' : 'critical'}
                      data-outcome=${r.outcome}
                      label=${t(`audit.outcome.${r.outcome}`)}
                    ></tpc-badge>
                  </td>
                  <td class="detail">${r.detail ? JSON.stringify(r.detail) : ''}</td>
                </tr>`,
            )}
          </tbody>
        </table>
        ${this._loaded && !this._items.length && !this._error ? html`<p class="muted pad">${t('audit.none')}</p>` : nothing}
      </div>
      ${this._cursor ? html`<div><button type="button" @click=${() => void this.load(false)}>${t('audit.older')}</button></div>` : nothing}`;
  }
}
customElements.define('tpc-audit-panel', TpAuditPanel);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-audit-panel': TpAuditPanel;
  }
}
