import { LitElement, css, html, nothing } from 'lit';
import { formatClockTime } from '../common/format-clock-time.js';
import { formatPercent } from '../common/format-percent.js';
import { localizeText } from '../common/localize-text.js';
import type { SupportAction, SupportActivityState, SupportAsk, SupportCaseStatus } from '../common/support-activity.js';
import { emitIntent } from '../components/intent.js';
import '../components/tp-progress-bar.js';
import type { Translate } from '../i18n/translator.js';
import { shared } from '../styles/shared.js';

/**
 * The "support is working on your device" panel above every screen (issue 16):
 * which action support runs, in the customer's language ("Support is running
 * “Descale” on your device"), its progress, its result, and the status of the
 * customer's case. It stays until the action has finished and the customer
 * closes it; a running action cannot be hidden.
 *
 * An action that needs the customer (hot water, moving parts) asks first,
 * with the profile's reason: Allow, Decline, or allow remote control for a
 * while. While remote control is allowed a strip says so, until when, with a
 * button that ends it at once.
 */
export class TpSupportActivity extends LitElement {
  static override properties = {
    t: { attribute: false },
    locale: {},
    activity: { attribute: false },
  };
  declare t: Translate;
  declare locale: string;
  declare activity: SupportActivityState;

  static override styles = [
    shared,
    css`
      :host {
        display: block;
      }
      section {
        display: grid;
        grid-template-columns: minmax(0, 1fr) auto;
        align-items: center;
        gap: 0.25em 0.75em;
        padding: 0.4em 0.75em;
        background: var(--tp-surface);
        border-bottom: 3px solid var(--tp-primary);
      }
      section[data-status='failed'] {
        border-bottom-color: var(--tp-danger);
      }
      .title {
        font-weight: 700;
      }
      .text,
      .case {
        grid-column: 1;
      }
      .case {
        color: var(--tp-muted);
        font-size: 0.9em;
      }
      .failed {
        color: var(--tp-danger);
      }
      .bar {
        grid-column: 1;
        display: flex;
        align-items: center;
        gap: 0.6em;
      }
      .bar tp-progress-bar {
        flex: 1;
        --tp-progress-height: 10px;
      }
      .side {
        grid-column: 2;
        grid-row: 1 / span 3;
      }
      section.ask {
        border-bottom-color: var(--tp-warning, var(--tp-primary));
      }
      .buttons {
        grid-column: 1 / span 2;
        display: flex;
        flex-wrap: wrap;
        gap: 0.5em;
      }
      .remote {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 0.75em;
        padding: 0.25em 0.75em;
        background: var(--tp-primary);
        color: var(--tp-on-primary, #fff);
        font-weight: 600;
      }
      .remote button {
        min-height: 40px;
      }
    `,
  ];

  constructor() {
    super();
    this.locale = 'en';
  }

  protected override render() {
    const { ask, remoteUntil } = this.activity;
    return html`${remoteUntil !== null ? this.remoteStrip(remoteUntil) : nothing}
    ${ask ? this.question(ask) : this.actionPanel()}`;
  }

  private remoteStrip(until: number) {
    const t = this.t;
    return html`<div class="remote" id="support-remote" role="status">
      <span id="support-remote-text">${t('remoteAllowedUntil', { time: formatClockTime(this.locale, until) })}</span>
      <button id="support-remote-end" @click=${() => emitIntent(this, { kind: 'support-remote', minutes: 0 })}>
        ${t('remoteEnd')}
      </button>
    </div>`;
  }

  private question(ask: SupportAsk) {
    const t = this.t;
    const name = ask.label ? localizeText(ask.label, this.locale) : ask.action;
    const answer = (allow: boolean) => emitIntent(this, { kind: 'support-answer', commandId: ask.commandId, allow });
    return html`<section
      id="support-ask"
      class="ask"
      role="alertdialog"
      aria-labelledby="support-ask-title"
      aria-describedby="support-ask-reason"
    >
      <span class="title" id="support-ask-title">${t('supportAsks', { action: name })}</span>
      <span class="text" id="support-ask-reason">${localizeText(ask.reason, this.locale)}</span>
      <div class="buttons">
        <button class="primary" id="support-allow" @click=${() => answer(true)}>${t('supportAllow')}</button>
        <button id="support-decline" @click=${() => answer(false)}>${t('supportDecline')}</button>
        <button
          class="quiet"
          id="support-allow-remote"
          @click=${() => emitIntent(this, { kind: 'support-remote', minutes: this.activity.remoteMinutes })}
        >
          ${t('remoteAllowFor', { minutes: String(this.activity.remoteMinutes) })}
        </button>
      </div>
    </section>`;
  }

  private actionPanel() {
    const { action, supportCase } = this.activity;
    if (!action) return nothing;
    const t = this.t;
    const name = action.label ? localizeText(action.label, this.locale) : action.action;
    const running = action.status === 'running';
    return html`<section
      id="support-activity"
      role="status"
      aria-live="polite"
      aria-labelledby="support-activity-title"
      data-status=${action.status}
    >
      <span class="title" id="support-activity-title"
        >${t(
          running
            ? 'supportWorking'
            : action.status === 'declined' || action.status === 'no-answer'
              ? 'supportNotRun'
              : 'supportWorked',
        )}</span
      >
      <span class="text ${action.status === 'failed' ? 'failed' : ''}" id="support-activity-text"
        >${this.statusText(action, name)}</span
      >
      ${running ? this.progress(action, name) : nothing} ${supportCase ? this.caseLine(supportCase) : nothing}
      ${
        running
          ? nothing
          : html`<button
              class="side"
              id="support-activity-close"
              @click=${() => emitIntent(this, { kind: 'dismiss-support' })}
            >
              ${t('close')}
            </button>`
      }
    </section>`;
  }

  private statusText(action: SupportAction, name: string): string {
    switch (action.status) {
      case 'running':
        return this.t('supportRunning', { action: name });
      case 'succeeded':
        return this.t('supportSucceeded', { action: name });
      case 'failed':
        return this.t('supportFailed', { action: name });
      case 'declined':
        return this.t('supportDeclined', { action: name });
      case 'no-answer':
        return this.t('supportNoAnswer', { action: name });
    }
  }

  private progress(action: SupportAction, name: string) {
    const percent = action.percent;
    const percentText = percent === null ? this.t('starting') : formatPercent(this.locale, percent);
    return html`<div class="bar">
      <tp-progress-bar .value=${percent} label=${name} .valueText=${percentText}></tp-progress-bar>
      <span id="support-activity-percent">${percentText}</span>
    </div>`;
  }

  private caseLine(c: SupportCaseStatus) {
    const t = this.t;
    const text =
      c.status === 'claimed'
        ? c.agentName
          ? t('caseClaimedBy', { name: c.agentName })
          : t('caseClaimed')
        : c.status === 'open'
          ? t('caseWaiting')
          : t('caseResolved');
    return html`<span class="case" id="support-activity-case">${t('supportCase', { status: text })}</span>`;
  }
}

customElements.define('tp-support-activity', TpSupportActivity);
declare global {
  interface HTMLElementTagNameMap {
    'tp-support-activity': TpSupportActivity;
  }
}
