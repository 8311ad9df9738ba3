import { LitElement, css, html, nothing } from 'lit';
import type {
  ActionSpec,
  CommandView,
  DeviceDetail,
  DiagnosticsMessage,
  DiagnosticsPoint,
  HelpFlow,
  HelpSessionView,
  HelpTraceEntry,
  LiveEvent,
  LocalizedText,
  StaffView,
  TimelineItem,
} from '@touchpoint/protocol';
import { appendPoint, chartableSensors } from '../common/chart-series.js';
import { formatDuration } from '../common/format-duration.js';
import { formatNumber } from '../common/format-number.js';
import { formatRelative } from '../common/format-relative.js';
import { mergeTrace } from '../common/merge-trace.js';
import { messageParts } from '../common/message-parts.js';
import { routeHref } from '../common/route.js';
import '../components/tpc-badge.js';
import '../components/tpc-command-status.js';
import '../components/tpc-confirm-dialog.js';
import type { TpConfirmDialog } from '../components/tpc-confirm-dialog.js';
import '../components/tpc-connection-state.js';
import '../components/tpc-device-cases.js';
import '../components/tpc-help-mirror.js';
import '../components/tpc-host-metrics.js';
import '../components/tpc-param-form.js';
import '../components/tpc-remote-control.js';
import type { ParamsSubmitEvent } from '../components/tpc-param-form.js';
import '../components/tpc-sensor-chart.js';
import '../components/tpc-simulator-panel.js';
import '../components/tpc-timeline.js';
import '../video/tp-video-call.js';
import type { TpToasts } from '../components/tpc-toasts.js';
import { sharedStyles } from '../components/shared-styles.js';
import { ClockController } from '../controllers/clock-controller.js';
import { LiveController } from '../controllers/live-controller.js';
import { fetchCommand, listDeviceCommands, sendCommand } from '../data/commands.js';
import { fetchDevice, fetchDiagnostics, fetchHelpSession, fetchTimeline } from '../data/devices.js';
import { fetchFlow } from '../data/flows.js';
import { LocaleController } from '../i18n/locale-controller.js';
import '../video/tp-video-call.js';

const MAX_POINTS = 300;
const DIAGNOSTICS_ACTION = 'diagnostics.request';

/**
 * One device, live: its diagnostics and charts, the customer's help session
 * mirrored tap by tap, its history, and (for agents) pushing a fix with live
 * command status. Opening it is audited as an access to the device.
 */
export class TpDevicePanel extends LitElement {
  static override properties = {
    deviceId: {},
    me: { attribute: false },
    toasts: { attribute: false },
    _detail: { state: true },
    _points: { state: true },
    _latest: { state: true },
    _session: { state: true },
    _trace: { state: true },
    _flow: { state: true },
    _timeline: { state: true },
    _cursor: { state: true },
    _commands: { state: true },
    _action: { state: true },
    _pending: { state: true },
    _error: { state: true },
    _sending: { state: true },
  };
  declare deviceId: string;
  declare me: StaffView;
  declare toasts: TpToasts | null;
  declare _detail: DeviceDetail | undefined;
  declare _points: DiagnosticsPoint[];
  declare _latest: DiagnosticsMessage | null;
  declare _session: HelpSessionView | null;
  declare _trace: HelpTraceEntry[];
  declare _flow: HelpFlow | undefined;
  declare _timeline: TimelineItem[];
  declare _cursor: string | null;
  declare _commands: CommandView[];
  declare _action: string;
  declare _pending: { action: ActionSpec; params: Record<string, unknown> } | undefined;
  declare _error: string | undefined;
  declare _sending: boolean;

  private readonly clock = new ClockController(this, 1000);
  private readonly i18n = new LocaleController(this);
  private readonly live = new LiveController(this, {
    device: () => this.deviceId,
    onEvent: (e) => this.onLive(e),
    onResync: () => void this.load(),
  });
  private timelineTimer: ReturnType<typeof setTimeout> | undefined;
  private loadedFor: string | undefined;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 16px;
      }
      .top {
        display: flex;
        align-items: center;
        gap: 12px;
        flex-wrap: wrap;
      }
      .facts {
        display: flex;
        gap: 18px;
        flex-wrap: wrap;
        color: var(--tp-text-2);
      }
      .facts strong {
        color: var(--tp-text);
        font-weight: 600;
      }
      .cols {
        display: grid;
        grid-template-columns: minmax(0, 1.1fr) minmax(0, 1fr);
        gap: 16px;
        align-items: start;
      }
      @media (max-width: 1100px) {
        .cols {
          grid-template-columns: 1fr;
        }
      }
      .stack {
        display: grid;
        gap: 16px;
      }
      .charts {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(240px, 1fr));
        gap: 14px;
      }
      .errors {
        display: grid;
        gap: 4px;
        margin: 0 0 12px;
        padding: 0;
        list-style: none;
      }
      .cmds {
        display: grid;
        gap: 12px;
      }
      .cmd {
        border-top: 1px solid var(--tp-surface-2);
        padding-top: 10px;
      }
      .action-info {
        margin: 8px 0;
        font-size: 0.9rem;
      }
      .card-head {
        display: flex;
        align-items: center;
        gap: 8px;
        margin-bottom: 12px;
      }
    `,
  ];

  constructor() {
    super();
    this.deviceId = '';
    this.toasts = null;
    this._points = [];
    this._latest = null;
    this._session = null;
    this._trace = [];
    this._timeline = [];
    this._cursor = null;
    this._commands = [];
    this._action = '';
    this._sending = false;
  }

  protected override willUpdate(): void {
    if (this.deviceId && this.deviceId !== this.loadedFor) {
      this.loadedFor = this.deviceId;
      this._detail = undefined;
      void this.load();
    }
  }

  private get canFix(): boolean {
    return this.me?.role === 'agent' || this.me?.role === 'admin';
  }

  private async load() {
    const id = this.deviceId;
    try {
      const [detail, points, session, timeline, commands] = await Promise.all([
        fetchDevice(id),
        fetchDiagnostics(id, MAX_POINTS),
        fetchHelpSession(id),
        fetchTimeline(id),
        listDeviceCommands(id),
      ]);
      if (id !== this.deviceId) return;
      this._error = undefined;
      this._detail = detail;
      this._latest = detail.latestDiagnostics;
      this._points = points;
      this._session = session.session;
      this._trace = session.trace;
      this._flow = session.session ? await fetchFlow(session.session.flowId) : undefined;
      this._timeline = timeline.items;
      this._cursor = timeline.nextCursor;
      this._commands = commands;
      if (!this._action) this._action = detail.profile?.actions.find((a) => a.name !== DIAGNOSTICS_ACTION)?.name ?? '';
    } catch (err) {
      this._error = (err as Error).message;
    }
  }

  private onLive(e: LiveEvent) {
    if (!this._detail) return;
    const device = this._detail.device;
    switch (e.type) {
      case 'presence':
        this._detail = { ...this._detail, device: { ...device, online: e.online, lastSeen: e.at } };
        this.refreshTimeline();
        break;
      case 'health':
        this._detail = { ...this._detail, device: { ...device, errors: e.errors, link: e.link, health: e.health } };
        break;
      case 'diagnostics': {
        const d = e.diagnostics;
        this._latest = d;
        this._points = appendPoint(
          this._points,
          { id: d.id, ts: d.ts, reason: d.reason, sensors: d.mcu.sensors, errors: d.mcu.errors, agent: d.agent },
          MAX_POINTS,
        );
        this._detail = { ...this._detail, device: { ...device, lastDiagnosticsAt: d.ts } };
        if (d.reason !== 'periodic') this.refreshTimeline();
        break;
      }
      case 'device-event':
        if (e.event.type !== 'help') this.refreshTimeline();
        break;
      case 'help':
        this.onHelp(e.sessionId, e.flowId, e.entry);
        break;
      case 'case':
        void fetchDevice(this.deviceId).then(
          (d) => (this._detail = d),
          () => undefined,
        );
        this.refreshTimeline();
        break;
      case 'command':
        void this.refreshCommand(e.commandId);
        break;
      case 'chat': // the case view's (tpc-case-chat)
      case 'hello':
      case 'resync':
        break;
    }
  }

  /** Each tap lands here within a second; a new session replaces the mirror and is completed from the API. */
  private onHelp(sessionId: string, flowId: string, entry: HelpTraceEntry) {
    if (this._session?.id === sessionId) {
      this._trace = mergeTrace(this._trace, [entry]);
      const outcome = entry.kind === 'outcome' ? entry.outcome : this._session.outcome;
      const currentStep = entry.kind === 'step' ? entry.stepId : this._session.currentStep;
      this._session = {
        ...this._session,
        outcome,
        currentStep,
        updatedAt: entry.at,
        ...(entry.kind === 'rating' ? { ces: entry.ces, helped: entry.helped } : {}),
      };
      return;
    }
    this._session = {
      id: sessionId,
      deviceId: this.deviceId,
      flowId,
      startedAt: entry.at,
      updatedAt: entry.at,
      currentStep: entry.kind === 'step' ? entry.stepId : null,
      outcome: null,
      ces: null,
      helped: null,
      msTotal: null,
    };
    this._trace = [entry];
    void fetchFlow(flowId).then((f) => {
      if (this._session?.id === sessionId) this._flow = f;
    });
    void fetchHelpSession(this.deviceId, sessionId).then(
      (r) => {
        if (this._session?.id !== sessionId || !r.session) return;
        this._session = r.session;
        this._trace = mergeTrace(r.trace, this._trace);
      },
      () => undefined,
    );
    this.refreshTimeline();
  }

  private async refreshCommand(commandId: string) {
    try {
      const c = await fetchCommand(commandId);
      const rest = this._commands.filter((x) => x.id !== c.id);
      this._commands = [c, ...rest].sort((a, b) => b.issuedAt - a.issuedAt);
    } catch {
      // The next event or a reload brings it.
    }
  }

  private refreshTimeline() {
    clearTimeout(this.timelineTimer);
    this.timelineTimer = setTimeout(() => {
      fetchTimeline(this.deviceId).then(
        (t) => {
          this._timeline = t.items;
          this._cursor = t.nextCursor;
        },
        () => undefined,
      );
    }, 500);
  }

  private async olderTimeline() {
    if (!this._cursor) return;
    const t = await fetchTimeline(this.deviceId, this._cursor);
    this._timeline = [...this._timeline, ...t.items];
    this._cursor = t.nextCursor;
  }

  private async onParams(e: ParamsSubmitEvent) {
    this._pending = e.detail;
    await this.updateComplete;
    const dialog = this.renderRoot.querySelector<TpConfirmDialog>('#confirm-fix')!;
    if (await dialog.ask()) await this.send(e.detail.action.name, e.detail.params);
    this._pending = undefined;
  }

  private async send(action: string, params: Record<string, unknown>) {
    this._sending = true;
    try {
      const c = await sendCommand(this.deviceId, { action, params });
      this._commands = [c, ...this._commands.filter((x) => x.id !== c.id)];
      this.toasts?.show(this.i18n.t('device.sent', { action, device: this.deviceId }), 'info');
    } catch (err) {
      this.toasts?.show(this.i18n.t('device.sendFailed', { action, message: (err as Error).message }), 'critical');
    } finally {
      this._sending = false;
    }
  }

  /** A text from the device's profile in the console's language (profiles carry de and en; issue 16). */
  private text(label: LocalizedText): string {
    return label[this.i18n.locale] ?? label.en;
  }

  private renderHeader(d: DeviceDetail) {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    const dev = d.device;
    return html`<div class="top">
        <a href=${routeHref({ view: 'fleet' })}>← ${t('nav.fleet')}</a>
        <h1>${dev.id}</h1>
        <tpc-badge
          tone=${dev.online ? 'ok' : 'muted'}
          label=${dev.online ? t('fleet.online') : t('fleet.offline')}
          data-presence=${dev.online ? 'online' : 'offline'}
        ></tpc-badge>
        <tpc-badge
          tone=${dev.health === 'unknown' ? 'unknown' : dev.health}
          label=${t('device.health', { health: t(`health.${dev.health}`) })}
        ></tpc-badge>
        ${dev.openCases ? html`<a href=${routeHref({ view: 'queue' })}>${t('device.openCases', { count: dev.openCases })}</a>` : nothing}
        <span class="spacer"></span>
        <tpc-connection-state .state=${this.live.state} title=${t('device.liveUpdates')}></tpc-connection-state>
      </div>
      <div class="facts">
        <span>${t('fleet.model')} <strong>${d.profile ? this.text(d.profile.name) : dev.model}</strong></span>
        <span>${t('fleet.colFirmware')} <strong class="mono">${dev.firmwareVersion ?? t('common.none')}</strong></span>
        <span>${t('device.agent')} <strong class="mono">${dev.agentVersion ?? t('common.none')}</strong></span>
        <span>${t('fleet.colLastSeen')} <strong>${formatRelative(dev.lastSeen, this.clock.now, locale)}</strong></span>
        ${dev.tags.length ? html`<span>${t('device.tags')} <strong>${dev.tags.join(', ')}</strong></span>` : nothing}
      </div>`;
  }

  private renderDiagnostics(d: DeviceDetail) {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    const latest = this._latest;
    const profile = d.profile;
    const errors = d.device.errors;
    const link = d.device.link;
    const label = (code: string) => profile?.errors.find((e) => e.code === code);
    return html`<section class="card" aria-labelledby="diag-h">
      <div class="card-head">
        <h2 id="diag-h">${t('device.diagnostics')}</h2>
        <span class="spacer"></span>
        ${latest ? html`<span class="muted">${t('device.diagnosticsAt', { time: formatRelative(latest.ts, this.clock.now, locale), reason: t(`diagReason.${latest.reason}`) })}</span>` : nothing}
        ${this.canFix && profile?.actions.some((a) => a.name === DIAGNOSTICS_ACTION) ? html`<button @click=${() => void this.send(DIAGNOSTICS_ACTION, {})} ?disabled=${this._sending}>${t('device.requestDiagnostics')}</button>` : nothing}
      </div>
      <h3>${t('snapshot.errors')}</h3>
      <ul class="errors" aria-label=${t('device.activeErrors')}>
        ${
          errors.length === 0
            ? html`<li class="muted">${t('device.noErrors')}</li>`
            : errors.map((code) => {
                const spec = label(code);
                return html`<li>
                  <tpc-badge tone=${spec?.severity ?? 'warning'} label=${code}></tpc-badge>
                  ${spec ? this.text(spec.label) : t('device.unknownCode')}
                </li>`;
              })
        }
      </ul>
      <dl>
        <dt>${t('snapshot.link')}</dt>
        <dd>
          <tpc-badge
            tone=${link === 'up' ? 'ok' : link === 'down' ? 'critical' : link ? 'warning' : 'unknown'}
            label=${link ? t(`linkState.${link}`) : t('device.linkUnknown')}
          ></tpc-badge>
        </dd>
        ${
          latest
            ? html`
                <dt>${t('snapshot.outbox')}</dt>
                <dd>
                  ${t('snapshot.outboxValue', { queued: latest.agent.outboxDepth, dropped: latest.agent.outboxDropped })}
                </dd>
                <dt>${t('device.reconnects')}</dt>
                <dd>${formatNumber(latest.agent.reconnects, locale)}</dd>
                <dt>${t('snapshot.agentUptime')}</dt>
                <dd>${formatDuration(latest.agent.uptimeS * 1000, locale)}</dd>
                <dt>${t('remote.title')}</dt>
                <dd id="remote-control">
                  <tpc-remote-control
                    .until=${latest.agent.remoteControlUntil}
                    .now=${this.clock.now}
                  ></tpc-remote-control>
                </dd>
                ${
                  latest.mcu.info
                    ? html`<dt>${t('snapshot.mcu')}</dt>
                        <dd>
                          ${latest.mcu.info.model} <span class="mono">${latest.mcu.info.serial}</span> fw
                          ${latest.mcu.info.firmwareVersion}
                        </dd>`
                    : nothing
                }
                ${(profile?.sensors ?? [])
                  .filter((s) => s.type === 'string')
                  .map(
                    (s) =>
                      html`<dt>${this.text(s.label)}</dt>
                        <dd>${String(latest.mcu.sensors[s.id] ?? t('common.none'))}</dd>`,
                  )}
              `
            : html`<dt>${t('device.reports')}</dt>
                <dd class="muted">${t('device.noDiagnostics')}</dd>`
        }
      </dl>
      <h3 class="mt mb">${t('device.sensors')}</h3>
      <div class="charts">
        ${chartableSensors(profile?.sensors ?? []).map((s) => html`<tpc-sensor-chart .sensor=${s} .points=${this._points}></tpc-sensor-chart>`)}
      </div>
    </section>`;
  }

  private renderFix(d: DeviceDetail) {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    const actions = d.profile?.actions ?? [];
    const action = actions.find((a) => a.name === this._action);
    const pending = this._pending;
    return html`<section class="card" aria-labelledby="fix-h">
      <h2 id="fix-h">${t('device.fix')}</h2>
      ${
        this.canFix
          ? html`
              <label
                >${t('device.action')}<select
                  id="action"
                  @change=${(e: Event) => (this._action = (e.target as HTMLSelectElement).value)}
                >
                  ${actions.map((a) => html`<option value=${a.name} ?selected=${a.name === this._action}>${this.text(a.label)}</option>`)}
                </select></label
              >
              ${
                action
                  ? html`<div class="action-info muted">
                        ${action.description ? this.text(action.description) : ''}
                        ${action.estimatedSeconds !== undefined ? html`<div>${t('device.takesAbout', { duration: formatDuration(action.estimatedSeconds * 1000, locale) })}</div>` : nothing}
                        ${action.precondition ? html`<div>${messageParts(t, 'device.runsOnlyWhen', { condition: html`<span class="mono">${action.precondition}</span>` })}</div>` : nothing}
                      </div>
                      <tpc-param-form
                        .action=${action}
                        ?disabled=${this._sending}
                        @tpc-params-submit=${(e: ParamsSubmitEvent) => void this.onParams(e)}
                      ></tpc-param-form>`
                  : nothing
              }
            `
          : html`<p class="muted">${t('device.watchOnly', { role: t(`role.${this.me.role}`) })}</p>`
      }
      <h3 class="mt mb">${t('device.recentCommands')}</h3>
      <div class="cmds" aria-live="polite">
        ${this._commands.length === 0 ? html`<p class="muted">${t('device.noCommands')}</p>` : this._commands.slice(0, 8).map((c) => html`<div class="cmd"><tpc-command-status .command=${c}></tpc-command-status></div>`)}
      </div>
      <tpc-confirm-dialog
        id="confirm-fix"
        heading=${t('device.confirmHeading')}
        confirmLabel=${t('device.confirmSend')}
      >
        ${
          pending
            ? html`<p>
                  ${messageParts(t, d.device.online ? 'device.confirmRun' : 'device.confirmRunOffline', {
                    action: html`<strong>${this.text(pending.action.label)}</strong>`,
                    device: html`<strong>${this.deviceId}</strong>`,
                  })}
                </p>
                ${
                  Object.keys(pending.params).length
                    ? html`<dl>
                        ${Object.entries(pending.params).map(([k, v]) => {
                          const param = pending.action.params[k];
                          return html`<dt>${param ? this.text(param.label) : k}</dt>
                            <dd>${String(v)}</dd>`;
                        })}
                      </dl>`
                    : nothing
                }
                <p class="muted">${t('device.confirmSigned')}</p>`
            : nothing
        }
      </tpc-confirm-dialog>
    </section>`;
  }

  override render() {
    const t = this.i18n.t;
    if (this._error && !this._detail) return html`<div class="error-box" role="alert">${this._error}</div>`;
    const d = this._detail;
    if (!d) return html`<p class="muted">${t('device.loading', { device: this.deviceId })}</p>`;
    return html` ${this.renderHeader(d)}
      ${this._error ? html`<div class="error-box" role="alert">${this._error}</div>` : nothing}
      <div class="cols">
        <div class="stack">
          <section class="card" aria-labelledby="mirror-h">
            <h2 id="mirror-h">${t('device.helpSession')}</h2>
            <tpc-help-mirror
              .session=${this._session}
              .trace=${this._trace}
              .flow=${this._flow}
              .now=${this.clock.now}
            ></tpc-help-mirror>
          </section>
          ${
            this.canFix
              ? html`<section class="card" aria-labelledby="video-h">
                  <h2 id="video-h">${t('video.section')}</h2>
                  <tpc-video-call
                    .deviceId=${d.device.id}
                    .camera=${d.profile?.capabilities.camera}
                    ?disabled=${!d.device.online}
                  ></tpc-video-call>
                </section>`
              : nothing
          }
          ${this.renderFix(d)}
        </div>
        <div class="stack">
          ${this.renderDiagnostics(d)}
          <tpc-simulator-panel .deviceId=${d.device.id} .canControl=${this.canFix}></tpc-simulator-panel>
          <section class="card" aria-labelledby="host-h">
            <h2 id="host-h">${t('host.title')}</h2>
            <tpc-host-metrics id="host-metrics" .host=${this._latest?.host}></tpc-host-metrics>
          </section>
        </div>
      </div>
      <tpc-device-cases .deviceId=${d.device.id}></tpc-device-cases>
      <section class="card" aria-labelledby="hist-h">
        <h2 id="hist-h">${t('device.history')}</h2>
        <tpc-timeline
          .items=${this._timeline}
          ?hasMore=${Boolean(this._cursor)}
          @tpc-load-more=${() => void this.olderTimeline()}
        ></tpc-timeline>
      </section>`;
  }
}
customElements.define('tpc-device-panel', TpDevicePanel);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-device-panel': TpDevicePanel;
  }
}
