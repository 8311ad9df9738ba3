import { LitElement, css, html, nothing } from 'lit';
import type { KpiResponse } from '@touchpoint/protocol';
import { cesLabel, cesTone } from '../common/ces.js';
import { formatDuration } from '../common/format-duration.js';
import { formatShare } from '../common/format-share.js';
import { customRange, periodRange, type KpiPeriod } from '../common/kpi-period.js';
import { barWidth } from '../components/bar-width.js';
import { sharedStyles } from '../components/shared-styles.js';
import { fetchKpis } from '../data/kpis.js';

const PERIODS: { id: KpiPeriod; label: string }[] = [
  { id: '24h', label: 'Last 24 hours' },
  { id: '7d', label: 'Last 7 days' },
  { id: '30d', label: 'Last 30 days' },
  { id: '90d', label: 'Last 90 days' },
];

/** Support KPIs for a chosen period: first-touch resolution, escalations, effort, time to resolution, errors, drop-off. */
export class TpKpiPanel extends LitElement {
  static override properties = { _period: { state: true }, _data: { state: true }, _error: { state: true } };
  declare _period: KpiPeriod | 'custom';
  declare _data: KpiResponse | undefined;
  declare _error: string | undefined;

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
      this._error = 'Choose a start date before the end date.';
      return;
    }
    this._period = 'custom';
    void this.load(range);
  }

  override render() {
    const d = this._data;
    const maxErr = Math.max(1, ...(d?.topErrorCodes.map((e) => e.count) ?? []));
    return html` <div class="row">
        <h1>KPIs</h1>
        <span class="spacer"></span>
        <div class="row" role="group" aria-label="Period">
          ${PERIODS.map((p) => html`<button aria-pressed=${this._period === p.id ? 'true' : 'false'} class=${this._period === p.id ? 'primary' : ''} @click=${() => this.choose(p.id)}>${p.label}</button>`)}
        </div>
      </div>
      <form class="row" @submit=${this.custom}>
        <label>From<input type="date" name="from" required /></label
        ><label>To<input type="date" name="to" required /></label><button class="end" type="submit">Apply range</button>
      </form>
      ${this._error ? html`<div class="error-box" role="alert">${this._error}</div>` : nothing}
      ${
        d
          ? html`
              <div class="cards">
                <div class="card">
                  <div class="muted">First-touch resolution</div>
                  <div class="metric" data-kpi="ftr">${formatShare(d.firstTouchResolution)}</div>
                  <div class="muted">
                    ${d.helpSessions.resolvedByFix} by a fix · ${d.helpSessions.resolvedByCustomer} by the customer ·
                    ${d.helpSessions.nothingWrong} nothing wrong (not counted)
                  </div>
                </div>
                <div class="card">
                  <div class="muted">Escalation rate</div>
                  <div class="metric" data-kpi="escalation">${formatShare(d.escalationRate)}</div>
                  <div class="muted">
                    ${d.helpSessions.escalated} escalated · ${d.helpSessions.inProgress} still open
                  </div>
                </div>
                <div class="card">
                  <div class="muted">Drop-off</div>
                  <div class="metric" data-kpi="drop-off">${formatShare(d.dropOffRate)}</div>
                  <div class="muted">${d.helpSessions.abandoned} left help without an outcome</div>
                </div>
                <div class="card">
                  <div class="muted">Median time to resolution</div>
                  <div class="metric">
                    ${d.medianTimeToResolutionMs === null ? '—' : formatDuration(d.medianTimeToResolutionMs)}
                  </div>
                  <div class="muted">${d.casesResolved} cases resolved</div>
                </div>
                <div class="card">
                  <div class="muted">Help sessions</div>
                  <div class="metric">${d.helpSessions.total}</div>
                  <div class="muted">started in this period</div>
                </div>
              </div>
              <div class="grid2">
                <section class="card">
                  <h2>Customer effort per flow</h2>
                  <p class="muted">CES 1 (very difficult) to 7 (very easy): higher is better.</p>
                  <table>
                    <thead>
                      <tr>
                        <th>Flow</th>
                        <th class="num">CES</th>
                        <th class="num">Ratings</th>
                        <th></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${d.cesPerFlow.map(
                        (f) =>
                          html`<tr>
                            <td>${f.flowId}</td>
                            <td class="num" data-ces-tone=${cesTone(f.average)} title=${cesLabel(f.average)}>
                              ${f.average.toFixed(1)}
                            </td>
                            <td class="num">${f.count}</td>
                            <td class="barcell">
                              <div class="bar ${cesTone(f.average)}" ${barWidth((f.average / 7) * 100)}></div>
                            </td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                  ${d.cesPerFlow.length ? nothing : html`<p class="muted">No ratings yet.</p>`}
                </section>
                <section class="card">
                  <h2>Top error codes</h2>
                  <table>
                    <thead>
                      <tr>
                        <th>Code</th>
                        <th class="num">Raised</th>
                        <th></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${d.topErrorCodes.map(
                        (e) =>
                          html`<tr>
                            <td class="mono">${e.code}</td>
                            <td class="num">${e.count}</td>
                            <td class="barcell"><div class="bar warn" ${barWidth((e.count / maxErr) * 100)}></div></td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                  ${d.topErrorCodes.length ? nothing : html`<p class="muted">No errors raised.</p>`}
                </section>
              </div>
              <section class="card">
                <h2>Drop-off per flow step</h2>
                <p class="muted">
                  Sessions that reached a step, and the abandoned ones whose last step it was (an escalation is not a
                  drop-off).
                </p>
                <table>
                  <thead>
                    <tr>
                      <th>Flow</th>
                      <th>Step</th>
                      <th class="num">Reached</th>
                      <th class="num">Dropped</th>
                      <th class="num">Drop-off</th>
                      <th></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${d.dropOff.map(
                      (s) =>
                        html`<tr>
                          <td>${s.flowId}</td>
                          <td class="mono">${s.stepId}</td>
                          <td class="num">${s.reached}</td>
                          <td class="num">${s.dropped}</td>
                          <td class="num">${formatShare(s.rate)}</td>
                          <td class="barcell"><div class="bar warn" ${barWidth(s.rate * 100)}></div></td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
                ${d.dropOff.length ? nothing : html`<p class="muted">No help sessions in this period.</p>`}
              </section>
            `
          : html`<p class="muted">Loading…</p>`
      }`;
  }
}
customElements.define('tpc-kpi-panel', TpKpiPanel);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-kpi-panel': TpKpiPanel;
  }
}
