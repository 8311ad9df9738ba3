import { LitElement, css, html, nothing } from 'lit';
import {
  localize,
  type FlowStep,
  type HelpFlow,
  type HelpSessionView,
  type HelpTraceEntry,
} from '@touchpoint/protocol';
import { cesLabel, cesTone } from '../common/ces.js';
import { formatDuration } from '../common/format-duration.js';
import { formatTime } from '../common/format-time.js';
import { traceSteps, type TraceStep, type TraceSummary } from '../common/trace-steps.js';
import { formatShare } from '../common/format-share.js';
import type { ConsoleLocale } from '../i18n/locale.js';
import { LocaleController } from '../i18n/locale-controller.js';
import type { MessageKey, Translate } from '../i18n/translator.js';
import { sharedStyles } from './shared-styles.js';

/** "· CES 6/7, fairly easy, helped": one text, higher is easier (issue 16). */
function ratingText(r: { ces: number; helped: boolean }, t: Translate, locale: ConsoleLocale): string {
  return t('mirror.rating', {
    ces: r.ces,
    label: cesLabel(r.ces, locale),
    helped: t(r.helped ? 'mirror.helped' : 'mirror.notHelped'),
  });
}

const STEP_TYPES: Record<string, MessageKey> = {
  info: 'stepType.info',
  question: 'stepType.question',
  check: 'stepType.check',
  action: 'stepType.action',
  outcome: 'stepType.outcome',
  rate: 'stepType.rate',
};

/** A step type in the staff member's language; one this console does not know yet as sent. */
function stepTypeText(type: string, t: Translate): string {
  const key = STEP_TYPES[type];
  return key ? t(key) : type;
}

function describeEvent(e: HelpTraceEntry, step: FlowStep | undefined, t: Translate, locale: ConsoleLocale): string {
  switch (e.kind) {
    case 'choice': {
      const choice = step?.kind === 'question' ? step.choices.find((c) => c.id === e.choiceId) : undefined;
      return t('mirror.tapped', {
        choice: choice ? localize(choice.label, locale) : e.choiceId,
        duration: formatDuration(e.msOnStep, locale),
      });
    }
    case 'back':
      return t('mirror.wentBack', { step: e.toStepId });
    case 'check':
      return t(e.result ? 'mirror.checkPassed' : 'mirror.checkFailed');
    case 'action': {
      const status = t(`mirror.actionStatus.${e.status}`);
      const text =
        e.progress !== undefined
          ? t('mirror.actionProgress', { action: e.action, status, percent: formatShare(e.progress / 100, locale) })
          : t('mirror.action', { action: e.action, status });
      // The reason comes from the device as written there.
      return e.reason ? `${text} — ${e.reason}` : text;
    }
    case 'start':
    case 'step':
    case 'outcome':
    case 'rating':
      return e.kind;
  }
}

type TraceOutcome = NonNullable<TraceSummary['outcome']>['outcome'];

/**
 * The live help-session mirror: the screen the customer is on right now (as
 * the flow defines it) and every screen before it, with their taps and the
 * time spent on each.
 */
export class TpHelpMirror extends LitElement {
  static override properties = {
    session: { attribute: false },
    trace: { attribute: false },
    flow: { attribute: false },
    now: { type: Number },
  };
  declare session: HelpSessionView | null;
  declare trace: readonly HelpTraceEntry[];
  declare flow: HelpFlow | undefined;
  declare now: number;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .screen {
        border: 2px solid var(--tp-accent);
        border-radius: 12px;
        padding: 14px 16px;
        background: var(--tp-surface);
        margin-bottom: 12px;
      }
      .screen.ended {
        border-color: var(--tp-border);
      }
      .screen .kind {
        text-transform: uppercase;
        letter-spacing: 0.04em;
        font-size: 0.72rem;
        color: var(--tp-text-2);
      }
      .screen h3 {
        font-size: 1.1rem;
        margin: 4px 0 6px;
      }
      .screen p {
        margin: 0 0 8px;
      }
      [data-ces-tone='good'] {
        color: #2e8b57;
      }
      [data-ces-tone='warn'] {
        color: #b07d00;
      }
      .choices {
        display: flex;
        gap: 6px;
        flex-wrap: wrap;
      }
      .choice {
        border: 1px solid var(--tp-border);
        border-radius: 8px;
        padding: 4px 10px;
        font-size: 0.9rem;
      }
      ol {
        list-style: none;
        padding: 0;
        margin: 0;
        display: grid;
        gap: 2px;
      }
      li.step {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 2px 12px;
        padding: 6px 8px;
        border-radius: 6px;
      }
      li.step.current {
        background: var(--tp-accent-2);
      }
      .time {
        font-variant-numeric: tabular-nums;
        color: var(--tp-text-2);
      }
      .events {
        grid-column: 1 / -1;
        font-size: 0.85rem;
        color: var(--tp-text-2);
        margin: 0;
        padding-left: 14px;
      }
    `,
  ];

  constructor() {
    super();
    this.session = null;
    this.trace = [];
    this.now = Date.now();
  }

  private readonly i18n = new LocaleController(this);

  private stepDef(id: string): FlowStep | undefined {
    return this.flow?.steps[id];
  }

  private stepTitle(id: string): string {
    const def = this.stepDef(id);
    const t = this.i18n.t;
    if (def?.title) return localize(def.title, this.i18n.locale);
    switch (def?.kind) {
      case 'check':
        return t('mirror.checking');
      case 'outcome':
        return t(def.result === 'resolved' ? 'mirror.solved' : 'mirror.handingOver');
      case 'rate':
        return t('mirror.ratingStep');
      case undefined:
      case 'info':
      case 'question':
      case 'action':
        return id;
    }
  }

  private renderScreen(step: TraceStep | undefined, ended: TraceOutcome | null) {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    if (!step) return html`<div class="screen ended"><p class="muted">${t('mirror.waiting')}</p></div>`;
    const def = this.stepDef(step.stepId);
    const chosen = new Set(
      step.events.filter((e) => e.kind === 'choice').map((e) => (e.kind === 'choice' ? e.choiceId : '')),
    );
    const title = this.stepTitle(step.stepId);
    const text =
      def && 'text' in def && def.text
        ? localize(def.text, locale)
        : def?.kind === 'action'
          ? localize(def.confirm, locale)
          : def?.kind === 'rate'
            ? def.question
              ? localize(def.question, locale)
              : t('mirror.rateQuestion')
            : '';
    return html`<div class="screen ${ended ? 'ended' : ''}" aria-live="polite" data-step=${step.stepId}>
      <div class="kind">
        ${ended ? t('mirror.sessionEnded', { outcome: t(`outcome.${ended}`) }) : t('mirror.onScreen')} ·
        ${stepTypeText(step.stepType, t)} · <span class="mono">${step.stepId}</span> ·
        ${formatDuration(step.ms, locale)}
      </div>
      <h3>${title}</h3>
      ${text ? html`<p>${text}</p>` : nothing}
      ${def?.kind === 'question' ? html`<div class="choices">${def.choices.map((c) => html`<span class="choice ${chosen.has(c.id) ? 'pill info' : ''}">${localize(c.label, locale)}</span>`)}</div>` : nothing}
    </div>`;
  }

  override render() {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    if (!this.session) return html`<p class="muted">${t('mirror.noSession')}</p>`;
    const summary = traceSteps(this.trace, this.now);
    const current = summary.steps.at(-1);
    const ended = summary.outcome ? summary.outcome.outcome : null;
    return html`
      <div class="row muted mb">
        <span
          >${t('mirror.flow')}
          <strong>${this.flow ? localize(this.flow.title, locale) : this.session.flowId}</strong></span
        >
        <span>${t('mirror.started', { time: formatTime(summary.startedAt ?? this.session.startedAt, locale) })}</span>
        ${
          summary.rating
            ? html`<span data-ces-tone=${cesTone(summary.rating.ces)}>${ratingText(summary.rating, t, locale)}</span>`
            : nothing
        }
      </div>
      ${this.renderScreen(current, ended)}
      <h3 class="mb">${t('mirror.tapTrace')}</h3>
      <ol aria-label=${t('mirror.screens')}>
        ${summary.steps.map(
          (s, i) =>
            html`<li class="step ${s.current ? 'current' : ''}">
              <span
                >${i + 1}. ${this.stepTitle(s.stepId)} <span class="muted">(${stepTypeText(s.stepType, t)})</span></span
              >
              <span class="time">${formatDuration(s.ms, locale)}${s.current ? ' …' : ''}</span>
              ${
                s.events.length
                  ? html`<ul class="events">
                      ${s.events.map(
                        (e) =>
                          html`<li>
                            ${describeEvent(e, this.stepDef(s.stepId), t, locale)}
                            ${
                              // A step the customer took on their phone (issue 17).
                              'via' in e && e.via === 'phone'
                                ? html`<span class="muted" data-via="phone">(${t('mirror.onPhone')})</span>`
                                : nothing
                            }
                          </li>`,
                      )}
                    </ul>`
                  : nothing
              }
            </li>`,
        )}
      </ol>
      ${
        summary.outcome
          ? html`<p>
              <tpc-badge
                tone=${summary.outcome.outcome === 'resolved' ? 'ok' : summary.outcome.outcome === 'escalated' ? 'warning' : 'muted'}
                label="${t(`outcome.${summary.outcome.outcome}`)}${summary.outcome.resolution ? ` (${t(`resolution.${summary.outcome.resolution}`)})` : ''}${summary.outcome.reason ? `: ${summary.outcome.reason}` : ''}"
              ></tpc-badge>
              <span class="muted"
                >${t('mirror.after', { duration: formatDuration(summary.outcome.msTotal, locale) })}</span
              >
            </p>`
          : nothing
      }
    `;
  }
}
customElements.define('tpc-help-mirror', TpHelpMirror);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-help-mirror': TpHelpMirror;
  }
}
