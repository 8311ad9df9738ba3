import { LitElement, css, html, nothing } from 'lit';
import type { FixReportBody, RolloutComparison, RolloutStatusName, RolloutViewBody } from '@touchpoint/protocol';
import '../components/tpc-badge.js';
import type { BadgeTone } from '../components/tpc-badge.js';
import { barWidth } from '../components/bar-width.js';
import { sharedStyles } from '../components/shared-styles.js';
import { formatNumber } from '../common/format-number.js';
import { formatShare } from '../common/format-share.js';
import { changeRollout, listFleetFixes, listRollouts } from '../data/rollouts.js';
import { LocaleController } from '../i18n/locale-controller.js';
import type { MessageKey } from '../i18n/translator.js';

const STATUS_TONE: Record<RolloutStatusName, BadgeTone> = {
  running: 'info',
  paused: 'warning',
  completed: 'ok',
  aborted: 'critical',
};

const FIX_TONE: Record<FixReportBody['status'], BadgeTone> = {
  running: 'info',
  completed: 'ok',
  stopped: 'critical',
  aborted: 'warning',
};

type Kpi = RolloutComparison['kpis'][number];

/**
 * Staged rollouts and fleet-wide fixes (issue 18; docs/help-lifecycle.md). Per rollout: the version, its
 * status and wave, the convergence per group (each wave of the cohort and the control: how many devices run
 * the content they should) and the last KPI comparison against the control; admins pause, resume and abort.
 * Below, the fleet-wide fixes with their counts. Refreshed every 5 s while shown.
 */
export class TpRolloutsPanel extends LitElement {
  static override properties = {
    staffRole: {},
    _rollouts: { state: true },
    _fixes: { state: true },
    _error: { state: true },
    _busy: { state: true },
  };
  /** The signed-in member's role: admins get the pause, resume and abort buttons (the broker checks again). */
  declare staffRole: string;
  declare _rollouts: RolloutViewBody[] | undefined;
  declare _fixes: FixReportBody[] | undefined;
  declare _error: string | undefined;
  declare _busy: boolean;
  private readonly i18n = new LocaleController(this);
  private timer: ReturnType<typeof setInterval> | undefined;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 16px;
      }
      .bar {
        height: 8px;
        border-radius: 4px;
        background: #2e8b57;
        min-width: 2px;
      }
      td.num {
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
      td.barcell {
        width: 40%;
      }
      .grid2 {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(320px, 1fr));
        gap: 16px;
        align-items: start;
      }
    `,
  ];

  constructor() {
    super();
    this.staffRole = 'viewer';
    this._busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    this.timer = setInterval(() => void this.load(), 5_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  private async load() {
    try {
      [this._rollouts, this._fixes] = await Promise.all([listRollouts(), listFleetFixes()]);
      this._error = undefined;
    } catch (err) {
      this._error = (err as Error).message;
    }
  }

  private async change(id: string, verb: 'pause' | 'resume' | 'abort') {
    this._busy = true;
    try {
      await changeRollout(id, verb);
      await this.load();
    } catch (err) {
      this._error = (err as Error).message;
    } finally {
      this._busy = false;
    }
  }

  private kpiValue(k: Kpi, v: number | null): string {
    if (v === null) return '—';
    return k.kpi === 'ces' ? formatNumber(v, this.i18n.locale, 2) : formatShare(v, this.i18n.locale);
  }

  private verdict(r: RolloutViewBody) {
    const t = this.i18n.t;
    const v = r.verdict;
    if (!v) return html`<p class="muted">${t('rollouts.notJudged')}</p>`;
    return html`<p data-verdict=${v.verdict}>
        ${t(`rollouts.verdict.${v.verdict}` as MessageKey, {
          candidate: v.sessions.candidate,
          control: v.sessions.control,
          min: r.thresholds.minSessions,
        })}
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">${t('rollouts.kpi')}</th>
            <th scope="col" class="num">${t('rollouts.newVersion')}</th>
            <th scope="col" class="num">${t('rollouts.control')}</th>
            <th scope="col">${t('rollouts.judgement')}</th>
          </tr>
        </thead>
        <tbody>
          ${v.kpis.map(
            (k) =>
              html`<tr data-kpi=${k.kpi}>
                <th scope="row">${t(`rollouts.kpi.${k.kpi}` as MessageKey)}</th>
                <td class="num">${this.kpiValue(k, k.candidate)}</td>
                <td class="num">${this.kpiValue(k, k.control)}</td>
                <td>
                  ${
                    k.breached
                      ? html`<tpc-badge tone="critical" label=${t('rollouts.worse')}></tpc-badge>`
                      : k.worseBy === null
                        ? html`<span class="muted">${t('rollouts.noData')}</span>`
                        : html`<tpc-badge tone="ok" label=${t('rollouts.withinThreshold')}></tpc-badge>`
                  }
                </td>
              </tr>`,
          )}
        </tbody>
      </table>`;
  }

  private rollout(r: RolloutViewBody) {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    const admin = this.staffRole === 'admin';
    return html`<section class="card" data-rollout=${r.id} aria-labelledby=${`ro-${r.id}`}>
      <div class="row">
        <h2 id=${`ro-${r.id}`}>${t('rollouts.heading', { model: r.model, number: r.versionNumber })}</h2>
        <tpc-badge
          data-status=${r.status}
          tone=${STATUS_TONE[r.status]}
          label=${t(`rollouts.status.${r.status}` as MessageKey)}
        ></tpc-badge>
        <span class="spacer"></span>
        ${
          admin && r.status === 'running'
            ? html`<button ?disabled=${this._busy} @click=${() => void this.change(r.id, 'pause')}>
                ${t('rollouts.pause')}
              </button>`
            : nothing
        }
        ${
          admin && r.status === 'paused'
            ? html`<button ?disabled=${this._busy} @click=${() => void this.change(r.id, 'resume')}>
                ${t('rollouts.resume')}
              </button>`
            : nothing
        }
        ${
          admin && (r.status === 'running' || r.status === 'paused')
            ? html`<button class="danger" ?disabled=${this._busy} @click=${() => void this.change(r.id, 'abort')}>
                ${t('rollouts.abort')}
              </button>`
            : nothing
        }
      </div>
      <p class="muted">
        ${t('rollouts.summary', {
          percent: formatNumber(r.cohort.percent, locale),
          wave: r.wave,
          waves: r.waves,
          firmware: r.cohort.firmware.join(', ') || t('rollouts.any'),
          tags: r.cohort.tags.join(', ') || t('rollouts.any'),
        })}
      </p>
      ${r.status === 'aborted' ? html`<p class="notice" role="status">${t('rollouts.rolledBack')}</p>` : nothing}
      <div class="grid2">
        <div>
          <h3>${t('rollouts.convergence')}</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">${t('rollouts.group')}</th>
                <th scope="col" class="num">${t('rollouts.converged')}</th>
                <th scope="col">${t('rollouts.share')}</th>
              </tr>
            </thead>
            <tbody>
              ${r.convergence.map((g) => {
                const share = g.devices === 0 ? 0 : g.converged / g.devices;
                const wave = /^wave (\d+)$/.exec(g.group)?.[1];
                return html`<tr data-group=${g.group}>
                  <th scope="row">${wave ? t('rollouts.wave', { wave }) : t('rollouts.control')}</th>
                  <td class="num">
                    ${t('rollouts.convergedOf', {
                      converged: formatNumber(g.converged, locale),
                      devices: formatNumber(g.devices, locale),
                    })}
                  </td>
                  <td class="barcell"><div class="bar" ${barWidth(share * 100)}></div></td>
                </tr>`;
              })}
            </tbody>
          </table>
        </div>
        <div>
          <h3>${t('rollouts.kpis')}</h3>
          ${this.verdict(r)}
        </div>
      </div>
    </section>`;
  }

  private fixes() {
    const t = this.i18n.t;
    const f = this._fixes ?? [];
    return html`<section class="card" aria-labelledby="fixes-title">
      <h2 id="fixes-title">${t('fixes.title')}</h2>
      ${
        f.length === 0
          ? html`<p class="muted">${t('fixes.none')}</p>`
          : html`<table>
              <thead>
                <tr>
                  <th scope="col">${t('fixes.action')}</th>
                  <th scope="col">${t('fixes.query')}</th>
                  <th scope="col">${t('fixes.status')}</th>
                  <th scope="col" class="num">${t('fixes.succeeded')}</th>
                  <th scope="col" class="num">${t('fixes.failed')}</th>
                  <th scope="col" class="num">${t('fixes.skipped')}</th>
                  <th scope="col" class="num">${t('fixes.notSent')}</th>
                </tr>
              </thead>
              <tbody>
                ${f.map(
                  (x) =>
                    html`<tr data-fix=${x.id}>
                      <td class="mono">${x.action}</td>
                      <td>
                        ${[x.query.model, x.query.errorCode, ...x.query.firmware, ...x.query.tags]
                          .filter(Boolean)
                          .join(' · ')}
                      </td>
                      <td>
                        <tpc-badge
                          tone=${FIX_TONE[x.status]}
                          label=${t(`fixes.status.${x.status}` as MessageKey)}
                        ></tpc-badge>
                      </td>
                      <td class="num">${x.counts.succeeded ?? 0}</td>
                      <td class="num">${x.counts.failed ?? 0}</td>
                      <td class="num">${x.counts.skipped ?? 0}</td>
                      <td class="num">${(x.counts['not-sent'] ?? 0) + (x.counts.unreached ?? 0)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
    </section>`;
  }

  override render() {
    const t = this.i18n.t;
    const r = this._rollouts;
    return html`<h1>${t('rollouts.title')}</h1>
      ${this._error ? html`<div class="error-box" role="alert">${this._error}</div>` : nothing}
      ${
        r === undefined
          ? html`<p class="muted">${t('app.loading')}</p>`
          : r.length === 0
            ? html`<p class="muted">${t('rollouts.none')}</p>`
            : r.map((x) => this.rollout(x))
      }
      ${this.fixes()}`;
  }
}
customElements.define('tpc-rollouts-panel', TpRolloutsPanel);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-rollouts-panel': TpRolloutsPanel;
  }
}
