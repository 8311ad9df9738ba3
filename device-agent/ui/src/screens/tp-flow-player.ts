import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { HelpScreenView } from '@touchpoint/protocol';
import { formatPercent } from '../common/format-percent.js';
import { emitIntent } from '../components/intent.js';
import '../components/tp-progress-bar.js';
import '../components/tp-sheet.js';
import type { Translate } from '../i18n/translator.js';
import { frame, shared } from '../styles/shared.js';
import './tp-rating.js';

type Of<K extends HelpScreenView['kind']> = Extract<HelpScreenView, { kind: K }>;

/**
 * Plays the screen the agent's flow engine pushes: info, question, check
 * ("checking…"), action (confirmation sheet, live progress, verifying),
 * outcome, rating and done. Focus moves to the heading on each new step so a
 * screen reader announces it; progress and status are in live regions.
 */
export class TpFlowPlayer extends LitElement {
  static override properties = {
    t: { attribute: false },
    locale: {},
    screen: { attribute: false },
    pending: { type: Boolean },
    caseOpen: { type: Boolean },
    errorText: {},
  };
  declare t: Translate;
  declare locale: string;
  declare screen: HelpScreenView;
  declare pending: boolean;
  /** A support case is open: its status instead of a second "Contact support" (issue 16). */
  declare caseOpen: boolean;
  declare errorText: string;

  static override styles = [
    shared,
    frame,
    css`
      .flow-progress {
        --tp-progress-height: 6px;
      }
      .text {
        font-size: 1.08em;
        line-height: 1.45;
        max-width: 42em;
      }
      .media {
        display: grid;
        gap: 0.9em;
        align-items: start;
      }
      @media (orientation: landscape) {
        .media.has-image {
          grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
        }
      }
      img {
        width: 100%;
        max-height: 38vh;
        object-fit: contain;
        background: var(--tp-surface);
        border-radius: 12px;
        border: 1px solid var(--tp-border);
      }
      @media (orientation: landscape) {
        img {
          max-height: 52vh;
        }
      }
      .choices {
        display: flex;
        flex-direction: column;
        gap: 0.5em;
        max-width: 36em;
      }
      .choices button {
        text-align: start;
      }
      .working {
        display: flex;
        align-items: center;
        gap: 0.8em;
        font-size: 1.08em;
      }
      .spinner {
        width: 2em;
        height: 2em;
        border-radius: 50%;
        border: 0.3em solid var(--tp-track);
        border-top-color: var(--tp-primary);
        animation: spin 0.9s linear infinite;
        flex: none;
      }
      @keyframes spin {
        to {
          transform: rotate(360deg);
        }
      }
      @media (prefers-reduced-motion: reduce) {
        .spinner {
          animation-duration: 3s;
        }
      }
      .big-progress {
        --tp-progress-height: 22px;
      }
      .percent {
        font-size: 1.6em;
        font-weight: 700;
        font-variant-numeric: tabular-nums;
      }
      .outcome-icon {
        font-size: 2.2em;
        line-height: 1;
      }
      .resolved .outcome-icon {
        color: var(--tp-ok);
      }
      .escalate .outcome-icon {
        color: var(--tp-warn-border);
      }
      .spacer {
        flex: 1;
      }
    `,
  ];

  private lastStepKey = '';

  constructor() {
    super();
    this.pending = false;
    this.caseOpen = false;
    this.errorText = '';
    this.locale = 'en';
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('screen')) return;
    const s = this.screen;
    const key = `${s.sessionId}/${s.stepId ?? ''}/${s.kind}/${s.kind === 'action' ? s.phase : ''}`;
    if (key === this.lastStepKey) return;
    this.lastStepKey = key;
    // Not while the confirmation sheet holds focus.
    if (s.kind === 'action' && s.phase === 'confirm') return;
    this.renderRoot.querySelector<HTMLElement>('h1')?.focus();
  }

  protected override render() {
    const s = this.screen;
    const t = this.t;
    const locked = s.busy || this.pending;
    return html`
      <header class="bar">
        ${s.canGoBack ? html`<button class="quiet" id="back" ?disabled=${locked} @click=${() => emitIntent(this, { kind: 'back' })}>← ${t('back')}</button>` : nothing}
        <h1 tabindex="-1">${s.title}</h1>
        <button
          class="quiet"
          id="leave"
          aria-label=${t('leaveHelp')}
          title=${t('leaveHelp')}
          @click=${() => emitIntent(this, { kind: 'close' })}
        >
          ✕
        </button>
      </header>
      <tp-progress-bar
        class="flow-progress"
        .value=${s.progress}
        label=${t('stepProgress')}
        .valueText=${formatPercent(this.locale, s.progress)}
      ></tp-progress-bar>
      <main class="body" data-kind=${s.kind}>${this.body(s)}</main>
      ${this.footer(s, locked)}
    `;
  }

  /** No empty bar while the device works or the rating form has its own button. */
  private footer(s: HelpScreenView, locked: boolean) {
    const actions = this.actions(s, locked);
    if (actions === nothing && !this.errorText) return html`<div></div>`;
    return html`<footer class="actions">
      ${this.errorText ? html`<span class="error spacer" role="alert">${this.errorText}</span>` : nothing} ${actions}
    </footer>`;
  }

  private body(s: HelpScreenView) {
    switch (s.kind) {
      case 'idle':
        return html`<p class="working" role="status">
          <span class="spinner" aria-hidden="true"></span>${this.t('starting')}
        </p>`;
      case 'info':
        return html`<div class="media ${s.image ? 'has-image' : ''}">
          <p class="text">${s.text}</p>
          ${s.image ? html`<img src=${s.image} alt=${s.imageAlt ?? ''} />` : nothing}
        </div>`;
      case 'question':
        return html`<p class="text" id="question">${s.text}</p>
          <div class="choices" role="group" aria-labelledby="question">
            ${s.choices.map((c) => html`<button data-choice=${c.id} ?disabled=${s.busy || this.pending} @click=${() => emitIntent(this, { kind: 'choose', choiceId: c.id })}>${c.label}</button>`)}
          </div>`;
      case 'check':
        return html`<p class="working" role="status" aria-live="polite">
          <span class="spinner" aria-hidden="true"></span><span>${s.text}</span>
        </p>`;
      case 'action':
        return this.action(s);
      case 'outcome':
        return html`<div class="working ${s.result}">
            <span class="outcome-icon" aria-hidden="true">${s.result === 'resolved' ? '✓' : '!'}</span>
            <h2>${this.t(s.result === 'resolved' ? 'resolvedTitle' : 'escalateTitle')}</h2>
          </div>
          <p class="text" role="status">${s.text}</p>`;
      case 'rate':
        return html`<tp-rating
          .t=${this.t}
          question=${s.question}
          helpedQuestion=${s.helpedQuestion}
          lowLabel=${s.scale.lowLabel}
          highLabel=${s.scale.highLabel}
          ?disabled=${s.busy || this.pending}
        ></tp-rating>`;
      case 'done':
        return html`<div class="working resolved">
          <span class="outcome-icon" aria-hidden="true">✓</span>
          <p class="text" role="status">${s.text}</p>
        </div>`;
    }
  }

  private action(s: Of<'action'>) {
    const t = this.t;
    const sheet = html`<tp-sheet
      .open=${s.phase === 'confirm'}
      heading=${t('confirmTitle')}
      @tp-sheet-cancel=${() => emitIntent(this, { kind: 'cancel-action' })}
    >
      <p class="text"><strong>${s.action.label}</strong></p>
      <p class="text">${s.confirm}</p>
      ${s.action.estimatedSeconds !== undefined ? html`<p>${t('takesAbout', { count: s.action.estimatedSeconds })}</p>` : nothing}
      <button
        slot="actions"
        id="cancel-action"
        ?disabled=${this.pending}
        @click=${() => emitIntent(this, { kind: 'cancel-action' })}
      >
        ${t('cancel')}
      </button>
      <button
        slot="actions"
        id="confirm-action"
        class="primary"
        ?disabled=${this.pending}
        @click=${() => emitIntent(this, { kind: 'confirm' })}
      >
        ${t('start')}
      </button>
    </tp-sheet>`;
    if (s.phase === 'confirm') {
      return html`<p class="text"><strong>${s.action.label}</strong></p>
        ${s.action.description ? html`<p class="text">${s.action.description}</p>` : nothing} ${sheet}`;
    }
    const percent = s.phase === 'verifying' ? 100 : s.actionProgress;
    const percentText =
      percent === null ? t('starting') : t('progressValue', { percent: formatPercent(this.locale, percent) });
    return html`${sheet}
      <p class="text">${s.text}</p>
      <tp-progress-bar
        class="big-progress"
        .value=${percent}
        label=${s.action.label}
        .valueText=${percentText}
      ></tp-progress-bar>
      <p class="working" role="status" aria-live="polite">
        ${
          s.phase === 'verifying'
            ? html`<span class="spinner" aria-hidden="true"></span><span>${t('verifying')}</span>`
            : html`<span class="percent" id="action-percent"
                  >${percent === null ? '…' : formatPercent(this.locale, percent)}</span
                ><span>${t('running')}</span>`
        }
      </p>`;
  }

  private actions(s: HelpScreenView, locked: boolean) {
    const t = this.t;
    const support = this.caseOpen
      ? html`<button id="show-case" @click=${() => emitIntent(this, { kind: 'show-case' })}>
          ${t('yourRequest')}
        </button>`
      : html`<button id="support" @click=${() => emitIntent(this, { kind: 'support' })}>
          ${t('contactSupport')}
        </button>`;
    switch (s.kind) {
      case 'info':
        return html`${support}<button
            class="primary"
            id="next"
            ?disabled=${locked}
            @click=${() => emitIntent(this, { kind: 'next' })}
          >
            ${t('next')} →
          </button>`;
      case 'question':
        return support;
      case 'idle':
      case 'check':
      case 'action':
        return nothing;
      case 'outcome':
        if (s.result === 'resolved') {
          return s.canRate
            ? html`<button
                class="primary"
                id="next"
                ?disabled=${locked}
                @click=${() => emitIntent(this, { kind: 'next' })}
              >
                ${t('next')} →
              </button>`
            : html`<button class="primary" id="home" @click=${() => emitIntent(this, { kind: 'close' })}>
                ${t('backToHome')}
              </button>`;
        }
        return html`<button id="home" @click=${() => emitIntent(this, { kind: 'close' })}>${t('close')}</button> ${
            this.caseOpen
              ? html`<button class="primary" id="show-case" @click=${() => emitIntent(this, { kind: 'show-case' })}>
                  ${t('yourRequest')}
                </button>`
              : html`<button class="primary" id="support" @click=${() => emitIntent(this, { kind: 'support' })}>
                  ${t('contactSupport')}
                </button>`
          }`;
      case 'rate':
        return nothing;
      case 'done':
        return html`<button class="primary" id="home" @click=${() => emitIntent(this, { kind: 'close' })}>
          ${t('backToHome')}
        </button>`;
    }
  }
}

customElements.define('tp-flow-player', TpFlowPlayer);
declare global {
  interface HTMLElementTagNameMap {
    'tp-flow-player': TpFlowPlayer;
  }
}
