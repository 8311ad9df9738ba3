import { LitElement, css, html, nothing } from 'lit';
import type { FlowStep, HelpFlow, HelpSessionView, HelpTraceEntry } from '@touchpoint/protocol';
import { cesLabel, cesTone } from '../common/ces.js';
import { formatDuration } from '../common/format-duration.js';
import { formatTime } from '../common/format-time.js';
import { traceSteps, type TraceStep } from '../common/trace-steps.js';
import { sharedStyles } from './shared-styles.js';

/** "· CES 6/7, fairly easy, helped": one text, higher is easier (issue 16). */
function ratingText(r: { ces: number; helped: boolean }): string {
  return `· CES ${r.ces}/7, ${cesLabel(r.ces)}, ${r.helped ? 'helped' : 'did not help'}`;
}

function describeEvent(e: HelpTraceEntry, step: FlowStep | undefined): string {
  switch (e.kind) {
    case 'choice': {
      const choice = step?.kind === 'question' ? step.choices.find((c) => c.id === e.choiceId) : undefined;
      return `Tapped “${choice?.label.en ?? e.choiceId}” after ${formatDuration(e.msOnStep)}`;
    }
    case 'back':
      return `Went back to ${e.toStepId}`;
    case 'check':
      return `Sensor check ${e.result ? 'passed' : 'failed'}`;
    case 'action':
      return `Action ${e.action}: ${e.status}${e.progress !== undefined ? ` (${e.progress} %)` : ''}${e.reason ? ` — ${e.reason}` : ''}`;
    case 'start':
    case 'step':
    case 'outcome':
    case 'rating':
      return e.kind;
  }
}

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

  private stepDef(id: string): FlowStep | undefined {
    return this.flow?.steps[id];
  }

  private stepTitle(id: string): string {
    const def = this.stepDef(id);
    if (def?.title) return def.title.en;
    switch (def?.kind) {
      case 'check':
        return 'Checking the machine';
      case 'outcome':
        return def.result === 'resolved' ? 'Solved' : 'Handing over to support';
      case 'rate':
        return 'Rating';
      case undefined:
      case 'info':
      case 'question':
      case 'action':
        return id;
    }
  }

  private renderScreen(step: TraceStep | undefined, ended: string | null) {
    if (!step) return html`<div class="screen ended"><p class="muted">Waiting for the first screen…</p></div>`;
    const def = this.stepDef(step.stepId);
    const chosen = new Set(
      step.events.filter((e) => e.kind === 'choice').map((e) => (e.kind === 'choice' ? e.choiceId : '')),
    );
    const title = this.stepTitle(step.stepId);
    const text =
      def && 'text' in def && def.text
        ? def.text.en
        : def?.kind === 'action'
          ? def.confirm.en
          : def?.kind === 'rate'
            ? (def.question?.en ?? 'How easy was it to solve your problem?')
            : '';
    return html`<div class="screen ${ended ? 'ended' : ''}" aria-live="polite" data-step=${step.stepId}>
      <div class="kind">
        ${ended ? `Session ${ended}` : 'On screen now'} · ${step.stepType} · <span class="mono">${step.stepId}</span> ·
        ${formatDuration(step.ms)}
      </div>
      <h3>${title}</h3>
      ${text ? html`<p>${text}</p>` : nothing}
      ${def?.kind === 'question' ? html`<div class="choices">${def.choices.map((c) => html`<span class="choice ${chosen.has(c.id) ? 'pill info' : ''}">${c.label.en}</span>`)}</div>` : nothing}
    </div>`;
  }

  override render() {
    if (!this.session) return html`<p class="muted">No help session on this device yet.</p>`;
    const summary = traceSteps(this.trace, this.now);
    const current = summary.steps.at(-1);
    const ended = summary.outcome ? summary.outcome.outcome : null;
    return html`
      <div class="row muted mb">
        <span>Flow <strong>${this.flow?.title.en ?? this.session.flowId}</strong></span>
        <span>· started ${formatTime(summary.startedAt ?? this.session.startedAt)}</span>
        ${
          summary.rating
            ? html`<span data-ces-tone=${cesTone(summary.rating.ces)}>${ratingText(summary.rating)}</span>`
            : nothing
        }
      </div>
      ${this.renderScreen(current, ended)}
      <h3 class="mb">Tap trace</h3>
      <ol aria-label="Screens in this session">
        ${summary.steps.map(
          (s, i) =>
            html`<li class="step ${s.current ? 'current' : ''}">
              <span>${i + 1}. ${this.stepTitle(s.stepId)} <span class="muted">(${s.stepType})</span></span>
              <span class="time">${formatDuration(s.ms)}${s.current ? ' …' : ''}</span>
              ${
                s.events.length
                  ? html`<ul class="events">
                      ${s.events.map((e) => html`<li>${describeEvent(e, this.stepDef(s.stepId))}</li>`)}
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
                label="${summary.outcome.outcome}${summary.outcome.resolution ? ` (${summary.outcome.resolution})` : ''}${summary.outcome.reason ? `: ${summary.outcome.reason}` : ''}"
              ></tpc-badge>
              <span class="muted">after ${formatDuration(summary.outcome.msTotal)}</span>
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
