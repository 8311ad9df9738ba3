import { LitElement, css, html, nothing } from 'lit';
import type { KpiResponse } from '@touchpoint/protocol';
import { cesLabel, cesTone } from '../common/ces.js';
import { formatDuration } from '../common/format-duration.js';
import { formatShare } from '../common/format-share.js';
import { customRange, periodRange, type KpiPeriod } from '../common/kpi-period.js';
import { barWidth } from '../components/bar-width.js';
import { sharedStyles } from '../components/shared-styles.js';
import { fetchKpis } from '../data/kpis.js';
import { formatNumber } from '../common/format-number.js';
import { LocaleController } from '../i18n/locale-controller.js';
import type { MessageKey } from '../i18n/translator.js';

const PERIODS: { id: KpiPeriod; label: MessageKey }[] = [
  { id: '24h', label: 'kpi.last24h' },
  { id: '7d', label: 'kpi.last7d' },
  { id: '30d', label: 'kpi.last30d' },
  { id: '90d', label: 'kpi.last90d' },
];

/** Support KPIs for a chosen period: first-touch resolution, escalations, effort, time to resolution, errors, drop-off. */
export class TpKpiPanel extends LitElement {
  static override properties = { _period: { state: true }, _data: { state: true }, _error: { state: true } };
  declare _period: KpiPeriod | 'custom';
  declare _data: KpiResponse | undefined;
  declare _error: string | undefined;
  private readonly i18n = new LocaleController(this);

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 16px;
      }
      .cards {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
        gap: 12px;
      }
      .metric {
        font-size: 1.8rem;
        font-weight: 650;
        font-variant-numeric: tabular-nums;
      }
      .grid2 {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(340px, 1fr));
        gap: 16px;
        align-items: start;
      }
      .bar {
        height: 8px;
        border-radius: 4px;
        background: var(--tp-accent);
        min-width: 2px;
      }
      .bar.warn {
        background: #d19a00;
      }
      .bar.good {
        background: #2e8b57;
      }
      td.num {
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
      td.barcell {
        width: 40%;
      }
    `,
  ];

  constructor() {
    super();
    this._period = '7d';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load(periodRange('7d', Date.now()));
  }

  private async load(range: { from: number; to: number }) {
    try {
      this._data = await fetchKpis(range.from, range.to);
      this._error = undefined;
    } catch (err) {
      this._error = (err as Error).message;
    }
  }

  private choose(period: KpiPeriod) {
    this._period = period;
    void this.load(periodRange(period, Date.now()));
  }

  private custom(e: SubmitEvent) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const range = customRange(String(f.get('from') ?? ''), String(f.get('to') ?? ''));
    if (!range) {
      this._error = this.i18n.t('kpi.badRange');
      return;
    }
    this._period = 'custom';
    void this.load(range);
  }

  override render() {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    const share = (v: number | null) => formatShare(v, locale);
    const num = (v: number) => formatNumber(v, locale);
    const d = this._data;
    const maxErr = Math.max(1, ...(d?.topErrorCodes.map((e) => e.count) ?? []));
    return html` <div class="row">
        <h1>${t('kpi.title')}</h1>
        <span class="spacer"></span>
        <div class="row" role="group" aria-label=${t('kpi.period')}>
          ${PERIODS.map((p) => html`<button aria-pressed=${this._period === p.id ? 'true' : 'false'} class=${this._period === p.id ? 'primary' : ''} @click=${() => this.choose(p.id)}>${t(p.label)}</button>`)}
        </div>
      </div>
      <form class="row" @submit=${this.custom}>
        <label>${t('kpi.from')}<input type="date" name="from" required /></label
        ><label>${t('kpi.to')}<input type="date" name="to" required /></label
        ><button class="end" type="submit">${t('kpi.applyRange')}</button>
      </form>
      ${this._error ? html`<div class="error-box" role="alert">${this._error}</div>` : nothing}
      ${
        d
          ? html`
              <div class="cards">
                <div class="card">
                  <div class="muted">${t('kpi.ftr')}</div>
                  <div class="metric" data-kpi="ftr">${share(d.firstTouchResolution)}</div>
                  <div class="muted">
                    ${t('kpi.ftrDetail', {
                      fix: d.helpSessions.resolvedByFix,
                      customer: d.helpSessions.resolvedByCustomer,
                      nothing: d.helpSessions.nothingWrong,
                    })}
                  </div>
                </div>
                <div class="card">
                  <div class="muted">${t('kpi.escalationRate')}</div>
                  <div class="metric" data-kpi="escalation">${share(d.escalationRate)}</div>
                  <div class="muted">
                    ${t('kpi.escalationDetail', { escalated: d.helpSessions.escalated, open: d.helpSessions.inProgress })}
                  </div>
                </div>
                <div class="card">
                  <div class="muted">${t('kpi.dropOff')}</div>
                  <div class="metric" data-kpi="drop-off">${share(d.dropOffRate)}</div>
                  <div class="muted">${t('kpi.dropOffDetail', { count: d.helpSessions.abandoned })}</div>
                </div>
                <div class="card">
                  <div class="muted">${t('kpi.medianResolution')}</div>
                  <div class="metric">
                    ${d.medianTimeToResolutionMs === null ? '—' : formatDuration(d.medianTimeToResolutionMs, locale)}
                  </div>
                  <div class="muted">${t('kpi.casesResolved', { count: d.casesResolved })}</div>
                </div>
                <div class="card">
                  <div class="muted">${t('kpi.helpSessions')}</div>
                  <div class="metric">${num(d.helpSessions.total)}</div>
                  <div class="muted">${t('kpi.startedInPeriod')}</div>
                </div>
              </div>
              <div class="grid2">
                <section class="card">
                  <h2>${t('kpi.cesPerFlow')}</h2>
                  <p class="muted">${t('kpi.cesScale')}</p>
                  <table>
                    <thead>
                      <tr>
                        <th>${t('kpi.colFlow')}</th>
                        <th class="num">${t('kpi.colCes')}</th>
                        <th class="num">${t('kpi.colRatings')}</th>
                        <th></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${d.cesPerFlow.map(
                        (f) =>
                          html`<tr>
                            <td>${f.flowId}</td>
                            <td class="num" data-ces-tone=${cesTone(f.average)} title=${cesLabel(f.average, locale)}>
                              ${formatNumber(f.average, locale, 1)}
                            </td>
                            <td class="num">${num(f.count)}</td>
                            <td class="barcell">
                              <div class="bar ${cesTone(f.average)}" ${barWidth((f.average / 7) * 100)}></div>
                            </td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                  ${d.cesPerFlow.length ? nothing : html`<p class="muted">${t('kpi.noRatings')}</p>`}
                </section>
                <section class="card">
                  <h2>${t('kpi.topErrors')}</h2>
                  <table>
                    <thead>
                      <tr>
                        <th>${t('kpi.colCode')}</th>
                        <th class="num">${t('kpi.colRaised')}</th>
                        <th></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${d.topErrorCodes.map(
                        (e) =>
                          html`<tr>
                            <td class="mono">${e.code}</td>
                            <td class="num">${num(e.count)}</td>
                            <td class="barcell"><div class="bar warn" ${barWidth((e.count / maxErr) * 100)}></div></td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                  ${d.topErrorCodes.length ? nothing : html`<p class="muted">${t('kpi.noErrors')}</p>`}
                </section>
              </div>
              <section class="card">
                <h2>${t('kpi.dropOffPerStep')}</h2>
                <p class="muted">${t('kpi.dropOffExplain')}</p>
                <table>
                  <thead>
                    <tr>
                      <th>${t('kpi.colFlow')}</th>
                      <th>${t('kpi.colStep')}</th>
                      <th class="num">${t('kpi.colReached')}</th>
                      <th class="num">${t('kpi.colDropped')}</th>
                      <th class="num">${t('kpi.colDropOff')}</th>
                      <th></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${d.dropOff.map(
                      (s) =>
                        html`<tr>
                          <td>${s.flowId}</td>
                          <td class="mono">${s.stepId}</td>
                          <td class="num">${num(s.reached)}</td>
                          <td class="num">${num(s.dropped)}</td>
                          <td class="num">${share(s.rate)}</td>
                          <td class="barcell"><div class="bar warn" ${barWidth(s.rate * 100)}></div></td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
                ${d.dropOff.length ? nothing : html`<p class="muted">${t('kpi.noSessions')}</p>`}
              </section>
            `
          : html`<p class="muted">${t('common.loading')}</p>`
      }`;
  }
}
customElements.define('tpc-kpi-panel', TpKpiPanel);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-kpi-panel': TpKpiPanel;
  }
}
