import { LitElement, css, html } from 'lit';
import type { SupportReceipt } from '@touchpoint/protocol';
import { formatCallDuration } from '../common/format-call-duration.js';
import { formatDateTime } from '../common/format-date-time.js';
import { localizeText } from '../common/localize-text.js';
import { emitIntent } from '../components/intent.js';
import type { MessageKey, Translate } from '../i18n/translator.js';
import { frame, shared } from '../styles/shared.js';

const OUTCOME: Record<SupportReceipt['outcome'], MessageKey> = {
  succeeded: 'historyDone',
  failed: 'historyFailed',
  declined: 'historyDeclined',
  'no-answer': 'historyNoAnswer',
  opened: 'historyOpened',
  claimed: 'historyClaimed',
  resolved: 'historyResolved',
  closed: 'historyResolved',
  ended: 'historyResolved', // a call's line says how long it ran instead
};

const SHARED: Record<SupportReceipt['shared'][number], MessageKey> = {
  diagnostics: 'historyDiagnostics',
  'help-session': 'historyHelpSteps',
  camera: 'historyCamera',
  microphone: 'historyMicrophone',
};

/**
 * "Support history" (issue 16, receipts): what support did on the device (a
 * fix, a video call) and what the customer shared (with a case: which error
 * codes and readings the diagnostics held), by whom (name and role, or the role
 * only) and when, newest first. The agent keeps the list on the device; this
 * screen only shows it.
 */
export class TpSupportHistory extends LitElement {
  static override properties = { t: { attribute: false }, locale: {}, receipts: { attribute: false } };
  declare t: Translate;
  declare locale: string;
  declare receipts: SupportReceipt[] | undefined;

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
        gap: 0.5em;
      }
      li {
        display: grid;
        gap: 0.15em;
        padding: 0.5em 0.75em;
        background: var(--tp-surface);
        border: 1px solid var(--tp-border);
        border-radius: 8px;
      }
      .what {
        font-weight: 700;
      }
      .meta {
        color: var(--tp-muted);
        font-size: 0.9em;
      }
    `,
  ];

  constructor() {
    super();
    this.locale = 'en';
  }

  protected override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLElement>('h1')?.focus();
  }

  protected override render() {
    const t = this.t;
    const receipts = this.receipts;
    return html`
      <header class="bar"><h1 tabindex="-1">${t('historyTitle')}</h1></header>
      <main class="body">
        ${
          receipts === undefined
            ? html`<p>${t('busy')}</p>`
            : receipts.length === 0
              ? html`<p id="history-empty">${t('historyEmpty')}</p>`
              : html`<ol id="history" aria-label=${t('historyTitle')}>
                  ${receipts.map((r) => this.item(r))}
                </ol>`
        }
      </main>
      <footer class="actions">
        <button class="primary" id="history-close" @click=${() => emitIntent(this, { kind: 'home' })}>
          ${t('backToHome')}
        </button>
      </footer>
    `;
  }

  private item(r: SupportReceipt) {
    const t = this.t;
    const what =
      r.kind === 'fix'
        ? `${t('historyFix', { action: r.label ? localizeText(r.label, this.locale) : (r.action ?? '') })}: ${t(OUTCOME[r.outcome])}`
        : r.kind === 'call'
          ? t('historyCall', { duration: formatCallDuration(this.locale, r.durationS ?? 0) })
          : `${t('historyCase')}: ${t(OUTCOME[r.outcome])}`;
    const d = r.diagnostics;
    return html`<li data-kind=${r.kind} data-outcome=${r.outcome}>
      <span class="what">${what}</span>
      ${
        r.shared.length > 0
          ? html`<span class="shared"
              >${t('historyShared', { items: r.shared.map((s) => t(SHARED[s])).join(', ') })}</span
            >`
          : ''
      }
      ${
        d
          ? html`<span class="shared-detail meta"
              >${t('historyErrors', { codes: d.errors.join(', ') || t('historyNoErrors') })}${
                d.readings.length > 0
                  ? html` ·
                    ${t('historyReadings', {
                      items: d.readings.map((l) => localizeText(l, this.locale)).join(', '),
                    })}`
                  : ''
              }</span
            >`
          : ''
      }
      <span class="meta by">${t('historyBy', { by: this.by(r.by), when: formatDateTime(this.locale, r.at) })}</span>
    </li>`;
  }

  /** "Sam Support (support agent)", or the role alone when the device names no one. */
  private by(by: SupportReceipt['by']): string {
    const t = this.t;
    if (by.role === 'support') return by.name ?? t('historySupportTeam');
    if (!by.name) return t(by.role === 'admin' ? 'historyAnAdmin' : 'historyAnAgent');
    return t('historyByRole', {
      name: by.name,
      role: t(by.role === 'admin' ? 'historyRoleAdmin' : 'historyRoleAgent'),
    });
  }
}

customElements.define('tp-support-history', TpSupportHistory);
declare global {
  interface HTMLElementTagNameMap {
    'tp-support-history': TpSupportHistory;
  }
}
