import { LitElement, css, html, nothing } from 'lit';
import type { HelpCaseState } from '@touchpoint/protocol';
import { CASE_STAGES, caseStage, type CaseStage } from '../common/case-stage.js';
import { emitIntent } from '../components/intent.js';
import type { MessageKey, Translate } from '../i18n/translator.js';
import { frame, shared } from '../styles/shared.js';
import { CASE_STAGE_TEXT } from './tp-home.js';

const STAGE_LABEL: Record<CaseStage, MessageKey> = {
  queued: 'caseStageSent',
  sending: 'caseStageSent',
  waiting: 'caseStageWaiting',
  claimed: 'caseStageClaimed',
  resolved: 'caseStageResolved',
};

/** The support case, live: sent, waiting, an agent is looking at your device, resolved; or queued while offline. */
export class TpCaseStatus extends LitElement {
  static override properties = { t: { attribute: false }, supportCase: { attribute: false } };
  declare t: Translate;
  declare supportCase: HelpCaseState;

  static override styles = [
    shared,
    frame,
    css`
      :host {
        grid-template-rows: auto minmax(0, 1fr) auto;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 0.45em;
      }
      li {
        display: flex;
        align-items: center;
        gap: 0.6em;
        color: var(--tp-muted);
      }
      li .dot {
        width: 1.3em;
        height: 1.3em;
        border-radius: 50%;
        border: 3px solid var(--tp-track);
        flex: none;
      }
      li.done {
        color: var(--tp-text);
      }
      li.done .dot {
        background: var(--tp-ok);
        border-color: var(--tp-ok);
      }
      li[aria-current='step'] {
        color: var(--tp-text);
        font-weight: 700;
      }
      li[aria-current='step'] .dot {
        border-color: var(--tp-primary);
        background: var(--tp-primary);
      }
      .status {
        font-size: 1.2em;
        font-weight: 600;
      }
      .queued {
        color: var(--tp-danger);
      }
      .ref {
        color: var(--tp-muted);
        font-size: 0.9em;
      }
    `,
  ];

  protected override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLElement>('h1')?.focus();
  }

  protected override render() {
    const t = this.t;
    const c = this.supportCase;
    const stage = caseStage(c);
    const current = stage === 'queued' ? 0 : CASE_STAGES.indexOf(stage);
    const text =
      stage === 'claimed' && c.agentName ? t('caseClaimedBy', { name: c.agentName }) : t(CASE_STAGE_TEXT[stage]);
    return html`
      <header class="bar"><h1 tabindex="-1">${t('caseTitle')}</h1></header>
      <main class="body">
        <p class="status ${stage}" id="case-status" data-stage=${stage} role="status" aria-live="polite">${text}</p>
        <ol aria-label=${t('caseTitle')}>
          ${CASE_STAGES.map((s, i) => {
            const done = i < current || (stage === 'resolved' && s === 'resolved');
            const isCurrent = i === current && stage !== 'resolved' && stage !== 'queued';
            return html`<li class=${done ? 'done' : ''} aria-current=${isCurrent ? 'step' : nothing}>
              <span class="dot" aria-hidden="true"></span>${t(STAGE_LABEL[s])}
            </li>`;
          })}
        </ol>
        <p class="ref">${t('caseReference', { id: c.caseId.slice(0, 8) })}</p>
      </main>
      <footer class="actions">
        ${stage === 'resolved' ? html`<button id="dismiss" @click=${() => emitIntent(this, { kind: 'dismiss-case' })}>${t('dismiss')}</button>` : nothing}
        <button class="primary" id="home" @click=${() => emitIntent(this, { kind: 'home' })}>${t('backToHome')}</button>
      </footer>
    `;
  }
}

customElements.define('tp-case-status', TpCaseStatus);
declare global {
  interface HTMLElementTagNameMap {
    'tp-case-status': TpCaseStatus;
  }
}
