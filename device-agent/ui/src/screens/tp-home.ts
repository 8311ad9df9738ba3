import { LitElement, css, html, nothing } from 'lit';
import type { HelpCaseState, HelpDeviceInfo, HelpFlowSummary, HelpOffer, UiLiveState } from '@touchpoint/protocol';
import { bySeverity } from '../common/by-severity.js';
import { caseActive } from '../common/case-active.js';
import { caseStage, type CaseStage } from '../common/case-stage.js';
import { localizeText } from '../common/localize-text.js';
import { flowForError } from '../common/offer-for-error.js';
import { emitIntent } from '../components/intent.js';
import type { MessageKey, Translate } from '../i18n/translator.js';
import { frame, shared } from '../styles/shared.js';

export const CASE_STAGE_TEXT: Record<CaseStage, MessageKey> = {
  queued: 'caseQueued',
  sending: 'caseSending',
  waiting: 'caseWaiting',
  claimed: 'caseClaimed',
  resolved: 'caseResolved',
};

/** Home: proactive offers, device status with active errors, help topics, contact support. */
export class TpHome extends LitElement {
  static override properties = {
    t: { attribute: false },
    locale: {},
    live: { attribute: false },
    device: { attribute: false },
    flows: { attribute: false },
    offers: { attribute: false },
    supportCase: { attribute: false },
    pending: { type: Boolean },
  };
  declare t: Translate;
  declare locale: string;
  declare live: UiLiveState | undefined;
  declare device: HelpDeviceInfo | undefined;
  declare flows: HelpFlowSummary[];
  declare offers: HelpOffer[];
  declare supportCase: HelpCaseState | null;
  declare pending: boolean;

  static override styles = [
    shared,
    frame,
    css`
      :host {
        grid-template-rows: minmax(0, 1fr) auto;
      }
      .columns {
        display: grid;
        gap: 0.9em;
        grid-template-columns: 1fr;
        align-content: start;
      }
      @media (min-aspect-ratio: 4/3) {
        .columns {
          grid-template-columns: 1fr 1fr;
        }
      }
      .offer {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.6em;
        justify-content: space-between;
        background: var(--tp-warn-bg);
        border: 2px solid var(--tp-warn-border);
        border-radius: 14px;
        padding: 0.6em 0.8em;
      }
      .offer strong {
        font-size: 1.05em;
      }
      .offer.critical {
        background: var(--tp-danger-bg);
        border-color: var(--tp-danger);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 0.5em;
      }
      .error-row {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 0.5em;
        flex-wrap: wrap;
      }
      .code {
        font-weight: 700;
        font-variant-numeric: tabular-nums;
      }
      .topics button {
        width: 100%;
        text-align: start;
      }
      .ok {
        color: var(--tp-ok);
        font-weight: 600;
      }
      .actions {
        justify-content: space-between;
        align-items: center;
      }
      .hint {
        color: var(--tp-muted);
        flex: 1 1 10em;
      }
    `,
  ];

  constructor() {
    super();
    this.flows = [];
    this.offers = [];
    this.supportCase = null;
    this.pending = false;
    this.locale = 'en';
  }

  private errorLabel(code: string): string {
    const spec = this.device?.errors.find((e) => e.code === code);
    return spec ? localizeText(spec.label, this.locale) : code;
  }

  protected override render() {
    const t = this.t;
    // Offers arrive as the error is raised; the live state follows (throttled): show the union, never a contradiction.
    // Both lists put the most severe error first (issue 16).
    const severityOf = (code: string) => this.device?.errors.find((e) => e.code === code)?.severity;
    const errors = bySeverity(
      [...new Set([...(this.live?.errors ?? []), ...this.offers.map((o) => o.code)])],
      severityOf,
    );
    const offers = bySeverity(this.offers, (o) => o.severity);
    const topics = this.flows.filter((f) => f.menu);
    return html`
      <div class="body">
        ${
          offers.length
            ? html`<section aria-label=${t('showMeHow')} class="offers" aria-live="polite">
                ${offers.map(
                  (o) =>
                    html`<div class="offer ${o.severity}">
                      <strong>${t('offerTitle', { code: o.code, label: localizeText(o.label, this.locale) })}</strong>
                      <button
                        class="primary"
                        data-offer=${o.code}
                        ?disabled=${this.pending}
                        @click=${() => emitIntent(this, { kind: 'start', flowId: o.flowId, trigger: 'error', errorCode: o.code })}
                      >
                        ${t('showMeHow')}
                      </button>
                    </div>`,
                )}
              </section>`
            : nothing
        }
        ${this.supportCase ? this.renderCase(this.supportCase) : nothing}
        <div class="columns">
          <section class="card" aria-labelledby="status-h">
            <h2 id="status-h">${t('deviceStatus')}</h2>
            <p role="status">
              ${errors.length === 0 ? html`<span class="ok">${t('allGood')}</span>` : t('activeErrors', { count: errors.length })}
            </p>
            ${
              errors.length
                ? html`<ul>
                    ${errors.map((code) => {
                      const flow = flowForError(this.flows, code);
                      return html`<li class="error-row">
                        <span><span class="code">${code}</span> ${this.errorLabel(code)}</span>
                        ${
                          flow
                            ? html`<button
                                ?disabled=${this.pending}
                                aria-label="${t('showMeHow')}: ${code}"
                                @click=${() => emitIntent(this, { kind: 'start', flowId: flow.id, trigger: 'error', errorCode: code })}
                              >
                                ${t('showMeHow')}
                              </button>`
                            : nothing
                        }
                      </li>`;
                    })}
                  </ul>`
                : nothing
            }
          </section>
          <section class="card topics" aria-labelledby="topics-h">
            <h2 id="topics-h">${t('helpTopics')}</h2>
            ${
              topics.length
                ? html`<ul>
                    ${topics.map(
                      (f) =>
                        html`<li>
                          <button
                            data-flow=${f.id}
                            ?disabled=${this.pending}
                            @click=${() => emitIntent(this, { kind: 'start', flowId: f.id, trigger: 'menu' })}
                          >
                            ${localizeText(f.title, this.locale)}
                          </button>
                        </li>`,
                    )}
                  </ul>`
                : html`<p>${t('noTopics')}</p>`
            }
          </section>
        </div>
      </div>
      <footer class="actions">
        <span class="hint">${t('contactSupportHint')}</span>
        ${
          caseActive(this.supportCase)
            ? html`<button class="primary" id="show-case" @click=${() => emitIntent(this, { kind: 'show-case' })}>
                ${t('yourRequest')}
              </button>`
            : html`<button class="primary" id="support" @click=${() => emitIntent(this, { kind: 'support' })}>
                ${t('contactSupport')}
              </button>`
        }
      </footer>
    `;
  }

  private renderCase(c: HelpCaseState) {
    const t = this.t;
    const stage = caseStage(c);
    const text =
      stage === 'claimed' && c.agentName ? t('caseClaimedBy', { name: c.agentName }) : t(CASE_STAGE_TEXT[stage]);
    return html`<div class="card error-row" aria-live="polite">
      <span><strong>${t('yourRequest')}:</strong> ${text}</span>
      <span>
        <button @click=${() => emitIntent(this, { kind: 'show-case' })}>${t('open')}</button>
        ${stage === 'resolved' ? html`<button class="quiet" @click=${() => emitIntent(this, { kind: 'dismiss-case' })}>${t('dismiss')}</button>` : nothing}
      </span>
    </div>`;
  }
}

customElements.define('tp-home', TpHome);
declare global {
  interface HTMLElementTagNameMap {
    'tp-home': TpHome;
  }
}
