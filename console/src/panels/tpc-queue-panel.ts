import { LitElement, css, html, nothing } from 'lit';
import type { CaseDetail, CaseSummary, DeviceDetail, LiveEvent, StaffView } from '@touchpoint/protocol';
import { formatDuration } from '../common/format-duration.js';
import { formatTime } from '../common/format-time.js';
import { routeHref } from '../common/route.js';
import { DEFAULT_SLA_MS, slaState } from '../common/sla.js';
import '../components/tpc-badge.js';
import '../components/tpc-case-bundles.js';
import '../components/tpc-case-chat.js';
import '../components/tpc-diagnostics-snapshot.js';
import '../components/tpc-help-mirror.js';
import '../components/tpc-remote-control.js';
import '../video/tp-video-call.js';
import { sharedStyles } from '../components/shared-styles.js';
import { ClockController } from '../controllers/clock-controller.js';
import { FeedController, type LiveFeed } from '../controllers/live-feed.js';
import { LiveController } from '../controllers/live-controller.js';
import { addCaseNote, fetchAssignable, fetchCase, fetchQueue, updateCase } from '../data/cases.js';
import type { CaseUpdateRequest, HelpFlow } from '@touchpoint/protocol';
import { fetchDevice } from '../data/devices.js';
import { fetchFlow } from '../data/flows.js';
import { LocaleController } from '../i18n/locale-controller.js';
import '../video/tp-video-call.js';

/** From this delay between the customer's request and its arrival the case says the device was offline. */
const OFFLINE_DELAY_MS = 10_000;
const SLA_TONE = { ok: 'ok', warning: 'warning', breached: 'critical' } as const;

/**
 * The escalation queue: open and claimed cases, longest waiting first, with
 * an SLA timer; new cases appear live. The selected case shows its reason,
 * the customer's trace, notes, and claim / assign / status actions.
 */
export class TpQueuePanel extends LitElement {
  static override properties = {
    feed: { attribute: false },
    me: { attribute: false },
    caseId: {},
    _cases: { state: true },
    _total: { state: true },
    _detail: { state: true },
    _assignable: { state: true },
    _error: { state: true },
    _busy: { state: true },
    _fresh: { state: true },
    _flow: { state: true },
    _device: { state: true },
  };
  declare feed: LiveFeed | undefined;
  declare me: StaffView;
  declare caseId: string | undefined;
  declare _cases: CaseSummary[];
  declare _total: number;
  declare _detail: CaseDetail | undefined;
  declare _assignable: { id: string; displayName: string }[];
  declare _error: string | undefined;
  declare _busy: boolean;
  declare _fresh: Set<string>;
  declare _flow: HelpFlow | undefined;
  /** The case's device now: its profile names the snapshot's readings; its newest diagnostics say whether remote control is allowed. */
  declare _device: DeviceDetail | undefined;

  private readonly clock = new ClockController(this, 1000);
  private readonly i18n = new LocaleController(this);
  // The selected case's device, live: remote control allowed or ended shows at once (a diagnostics snapshot).
  private readonly deviceLive = new LiveController(this, {
    device: () => this._detail?.deviceId ?? null,
    enabled: () => this._detail !== undefined,
    onEvent: (e) => this.onDeviceEvent(e),
    onResync: () => {
      if (this._detail) void this.loadDevice(this._detail.deviceId);
    },
  });
  private loadedCase: string | undefined;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 16px;
      }
      .cols {
        display: grid;
        /* The case gets the wider side: its trace and the escalation snapshot stand next to each other (issue 16). */
        grid-template-columns: minmax(0, 0.8fr) minmax(0, 1.3fr);
        gap: 16px;
        align-items: start;
      }
      @media (max-width: 1100px) {
        .cols {
          grid-template-columns: 1fr;
        }
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 8px;
      }
      .case {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 4px 10px;
        padding: 12px 14px;
        background: var(--tp-surface);
        border: 1px solid var(--tp-border);
        border-radius: var(--tp-radius);
        text-decoration: none;
        color: inherit;
      }
      .case:hover {
        border-color: #b7c3d6;
      }
      .case[aria-current='true'] {
        border-color: var(--tp-accent);
        box-shadow: 0 0 0 1px var(--tp-accent);
      }
      .case.fresh {
        animation: arrive 2s ease-out;
      }
      @keyframes arrive {
        from {
          background: var(--tp-warn-bg);
        }
      }
      @media (prefers-reduced-motion: reduce) {
        .case.fresh {
          animation: none;
        }
      }
      .reason {
        font-weight: 600;
      }
      .meta {
        color: var(--tp-text-2);
        font-size: 0.88rem;
      }
      .notes {
        display: grid;
        gap: 8px;
        margin: 8px 0;
      }
      .note {
        background: var(--tp-surface-2);
        border-radius: 6px;
        padding: 8px 10px;
      }
      textarea {
        width: 100%;
        min-height: 64px;
        resize: vertical;
      }
      .actions {
        display: flex;
        gap: 8px;
        flex-wrap: wrap;
        margin: 12px 0;
      }
      dl {
        margin: 0 0 12px;
      }
      label.inline {
        display: flex;
        flex-direction: row;
      }
      .evidence {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(260px, 1fr));
        gap: 16px;
        align-items: start;
      }
    `,
  ];

  private readonly feedListener = new FeedController(
    this,
    () => this.feed,
    (e) => {
      if (e.type === 'case' || e.type === 'resync-all') {
        if (e.type === 'case' && e.change === 'opened') this._fresh = new Set([...this._fresh, e.caseId]);
        void this.loadQueue();
        if (this._detail && (e.type === 'resync-all' || e.caseId === this._detail.id))
          void this.loadCase(this._detail.id);
      }
    },
  );

  constructor() {
    super();
    this._cases = [];
    this._total = 0;
    this._assignable = [];
    this._busy = false;
    this._fresh = new Set();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadQueue();
    if (this.me.role !== 'viewer')
      fetchAssignable().then(
        (a) => (this._assignable = a),
        () => undefined,
      );
  }

  protected override willUpdate(): void {
    if (this.caseId !== this.loadedCase) {
      this.loadedCase = this.caseId;
      if (this.caseId) void this.loadCase(this.caseId);
      else this._detail = undefined;
    }
  }

  private async loadQueue() {
    try {
      const q = await fetchQueue(0, 200);
      this._cases = q.items;
      this._total = q.total;
      this._error = undefined;
    } catch (err) {
      this._error = (err as Error).message;
    }
  }

  private async loadCase(id: string) {
    try {
      const detail = await fetchCase(id);
      this._flow = detail.flowId ? await fetchFlow(detail.flowId) : undefined;
      if (this._device?.device.id !== detail.deviceId) this._device = undefined;
      this._detail = detail;
      void this.loadDevice(detail.deviceId);
    } catch (err) {
      this._error = (err as Error).message;
    }
  }

  private async loadDevice(deviceId: string) {
    try {
      const device = await fetchDevice(deviceId);
      if (this._detail?.deviceId === deviceId) this._device = device;
    } catch {
      // The case still shows; the remote-control line says it is unknown.
    }
  }

  private onDeviceEvent(e: LiveEvent) {
    if (e.type !== 'diagnostics' || !this._device || e.deviceId !== this._device.device.id) return;
    this._device = { ...this._device, latestDiagnostics: e.diagnostics };
  }

  private async act(change: CaseUpdateRequest) {
    if (!this._detail) return;
    this._busy = true;
    try {
      this._detail = await updateCase(this._detail.id, change);
      await this.loadQueue();
    } catch (err) {
      this._error = (err as Error).message;
    } finally {
      this._busy = false;
    }
  }

  private async note(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const text = String(new FormData(form).get('text') ?? '').trim();
    if (!text || !this._detail) return;
    this._busy = true;
    try {
      this._detail = await addCaseNote(this._detail.id, text);
      form.reset();
    } catch (err) {
      this._error = (err as Error).message;
    } finally {
      this._busy = false;
    }
  }

  private renderCase(c: CaseSummary) {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    const sla = slaState(c.openedAt, c.claimedAt, this.clock.now, DEFAULT_SLA_MS);
    const slaText = c.claimedAt
      ? t('queue.claimedAfter', { duration: formatDuration(sla.waitedMs, locale) })
      : sla.remainingMs >= 0
        ? t('queue.slaLeft', { duration: formatDuration(sla.remainingMs, locale) })
        : t('queue.slaBreached', { duration: formatDuration(-sla.remainingMs, locale) });
    const meta = [
      c.deviceId,
      c.model ?? t('queue.unknownModel'),
      ...(c.flowId ? [t('queue.flow', { flow: c.flowId })] : []),
    ];
    return html`<li>
      <a
        class="case ${this._fresh.has(c.id) ? 'fresh' : ''}"
        href=${routeHref({ view: 'queue', caseId: c.id })}
        aria-current=${c.id === this.caseId ? 'true' : 'false'}
        data-case=${c.id}
      >
        <span class="reason">${c.reason}</span>
        <span><tpc-badge tone=${c.claimedAt ? 'info' : SLA_TONE[sla.level]} label=${slaText}></tpc-badge></span>
        <span class="meta">${meta.join(' · ')}</span>
        <span class="meta"
          >${c.status === 'claimed' ? t('queue.claimedBy', { name: c.assignee?.displayName ?? '?' }) : t('queue.waiting', { duration: formatDuration(this.clock.now - c.openedAt, locale) })}</span
        >
      </a>
    </li>`;
  }

  private renderDetail(c: CaseDetail) {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    const canWork = this.me.role !== 'viewer';
    const active = c.status === 'open' || c.status === 'claimed';
    return html`<section class="card" aria-labelledby="case-h">
      <div class="row">
        <h2 id="case-h">${c.reason}</h2>
        <span class="spacer"></span
        ><tpc-badge tone=${active ? 'warning' : 'ok'} label=${t(`cases.status.${c.status}`)}></tpc-badge>
      </div>
      <dl class="mt">
        <dt>${t('cases.device')}</dt>
        <dd><a href=${routeHref({ view: 'device', deviceId: c.deviceId })}>${c.deviceId}</a> · ${c.model ?? ''}</dd>
        <dt>${t('cases.colRequested')}</dt>
        <dd data-requested>
          ${t('queue.requestedAt', { time: formatTime(c.openedAt, locale), duration: formatDuration(this.clock.now - c.openedAt, locale) })}
        </dd>
        ${
          // Delivery online takes well under a second; a request that took longer waited in the device's outbox.
          c.receivedAt - c.openedAt >= OFFLINE_DELAY_MS
            ? html`<dt>${t('queue.arrived')}</dt>
                <dd data-received>
                  ${formatTime(c.receivedAt, locale)}
                  <span class="muted"
                    >${t('queue.arrivedLater', { duration: formatDuration(c.receivedAt - c.openedAt, locale) })}</span
                  >
                </dd>`
            : nothing
        }
        <dt>${t('cases.flow')}</dt>
        <dd>${c.flowId ?? t('common.none')}${c.locale ? html` · <span class="muted">${c.locale}</span>` : nothing}</dd>
        <dt>${t('queue.assignee')}</dt>
        <dd>${c.assignee?.displayName ?? t('queue.nobody')}</dd>
        <dt>${t('snapshot.remoteNow')}</dt>
        <dd id="case-remote-control">
          <tpc-remote-control
            .until=${this._device?.latestDiagnostics?.agent.remoteControlUntil}
            .now=${this.clock.now}
            .known=${Boolean(this._device?.latestDiagnostics)}
          ></tpc-remote-control>
        </dd>
      </dl>
      ${
        canWork
          ? html`<div class="actions">
              ${c.assignee?.id !== this.me.id && active ? html`<button class="primary" ?disabled=${this._busy} @click=${() => void this.act({ op: 'claim' })}>${t('queue.claim')}</button>` : nothing}
              ${
                active && this._assignable.length
                  ? html`<label class="row inline"
                      >${t('queue.assignTo')}
                      <select
                        ?disabled=${this._busy}
                        @change=${(e: Event) => {
                          const v = (e.target as HTMLSelectElement).value;
                          if (v) void this.act({ op: 'assign', staffId: v });
                        }}
                      >
                        <option value="">${t('param.choose')}</option>
                        ${this._assignable.map((s) => html`<option value=${s.id} ?selected=${c.assignee?.id === s.id}>${s.displayName}</option>`)}
                      </select></label
                    >`
                  : nothing
              }
              ${
                active
                  ? html`<button
                        ?disabled=${this._busy}
                        @click=${() => void this.act({ op: 'status', status: 'resolved' })}
                      >
                        ${t('queue.resolve')}
                      </button>
                      <button ?disabled=${this._busy} @click=${() => void this.act({ op: 'status', status: 'closed' })}>
                        ${t('common.close')}
                      </button>`
                  : html`<button
                      ?disabled=${this._busy}
                      @click=${() => void this.act({ op: 'status', status: 'open' })}
                    >
                      ${t('queue.reopen')}
                    </button>`
              }
            </div>`
          : nothing
      }
      ${canWork && active ? html`<tpc-video-call .deviceId=${c.deviceId} .caseId=${c.id}></tpc-video-call>` : nothing}
      <section class="mt" id="case-chat" aria-labelledby="chat-h">
        <h3 id="chat-h">${t('chat.title')}</h3>
        <tpc-case-chat
          .caseId=${c.id}
          .deviceId=${c.deviceId}
          .customerLocale=${c.locale}
          .flowId=${c.flowId}
          .fixes=${(this._device?.profile?.actions ?? []).map((a) => ({ name: a.name, label: a.label[locale] ?? a.name }))}
          ?canWrite=${canWork}
          ?active=${active}
        ></tpc-case-chat>
      </section>
      <div class="evidence mt">
        <section aria-labelledby="trace-h">
          <h3 id="trace-h">${t('queue.customerDid')}</h3>
          <tpc-help-mirror
            .session=${c.sessionId ? { id: c.sessionId, deviceId: c.deviceId, flowId: c.flowId ?? '', startedAt: c.openedAt, updatedAt: c.openedAt, currentStep: null, outcome: 'escalated', ces: null, helped: null, msTotal: null } : null}
            .trace=${c.trace}
            .flow=${this._flow}
            .now=${this.clock.now}
          ></tpc-help-mirror>
        </section>
        <section id="case-snapshot" aria-labelledby="snapshot-h">
          <h3 id="snapshot-h">${t('snapshot.title')}</h3>
          <tpc-diagnostics-snapshot
            .diagnostics=${c.diagnostics}
            .profile=${this._device?.profile}
          ></tpc-diagnostics-snapshot>
        </section>
      </div>
      <section class="mt" id="case-bundles" aria-labelledby="bundles-h">
        <h3 id="bundles-h">${t('bundles.title')}</h3>
        <tpc-case-bundles .caseId=${c.id} ?canRequest=${canWork}></tpc-case-bundles>
      </section>
      <h3 class="mt">${t('queue.notes')}</h3>
      <div class="notes">
        ${
          c.notes.length === 0
            ? html`<p class="muted">${t('queue.noNotes')}</p>`
            : c.notes.map(
                (n) =>
                  html`<div class="note">
                    <div class="meta">${n.staff.displayName} · ${formatTime(n.at, locale)}</div>
                    ${n.text}
                  </div>`,
              )
        }
      </div>
      ${
        canWork
          ? html`<form @submit=${this.note}>
              <label>${t('queue.addNoteLabel')}<textarea name="text" maxlength="4000" required></textarea></label>
              <div class="row mt"><button type="submit" ?disabled=${this._busy}>${t('queue.addNote')}</button></div>
            </form>`
          : nothing
      }
    </section>`;
  }

  override render() {
    const t = this.i18n.t;
    return html` <div class="row">
        <h1>${t('nav.queue')}</h1>
        <span class="spacer"></span
        ><span class="muted" role="status"
          >${t('queue.summary', { count: this._total, duration: formatDuration(DEFAULT_SLA_MS, this.i18n.locale) })}</span
        >
      </div>
      ${this._error ? html`<div class="error-box" role="alert">${this._error}</div>` : nothing}
      <div class="cols">
        <ol aria-label=${t('queue.list')}>
          ${this._cases.length ? this._cases.map((c) => this.renderCase(c)) : html`<li class="muted">${t('queue.empty')}</li>`}
        </ol>
        <div>${this._detail ? this.renderDetail(this._detail) : html`<p class="muted">${t('queue.select')}</p>`}</div>
      </div>`;
  }
}
customElements.define('tpc-queue-panel', TpQueuePanel);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-queue-panel': TpQueuePanel;
  }
}
