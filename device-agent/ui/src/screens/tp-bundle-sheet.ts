import { LitElement, css, html, nothing } from 'lit';
import type { UiBundleAskMessage } from '@touchpoint/protocol';
import { formatDateTime } from '../common/format-date-time.js';
import { emitIntent } from '../components/intent.js';
import { ConsentArmController } from '../controllers/consent-arm-controller.js';
import '../components/tp-sheet.js';
import type { Translate } from '../i18n/translator.js';
import { shared } from '../styles/shared.js';

/**
 * A support bundle staff asked for (issue 17): who asks, a readable summary of each section, what was
 * redacted, and the content exactly as it would be sent; Send / Don't send. Send works once the sheet has been
 * seen (ConsentArmController), as every consent on the touchscreen.
 */
export class TpBundleSheet extends LitElement {
  static override properties = {
    t: { attribute: false },
    locale: {},
    ask: { attribute: false },
    pending: { type: Boolean },
  };
  declare t: Translate;
  declare locale: string;
  declare ask: UiBundleAskMessage | undefined;
  declare pending: boolean;
  private readonly arm = new ConsentArmController(this);

  static override styles = [
    shared,
    css`
      ul {
        margin: 0.6em 0;
        padding-inline-start: 1.2em;
        display: flex;
        flex-direction: column;
        gap: 0.35em;
      }
      .detail {
        color: var(--tp-muted);
        font-size: 0.92em;
      }
      details {
        margin-top: 0.6em;
      }
      summary {
        min-height: 44px;
        display: flex;
        align-items: center;
        cursor: pointer;
      }
      pre {
        max-height: 40vh;
        overflow: auto;
        font-size: 0.8em;
        white-space: pre-wrap;
        word-break: break-word;
        background: var(--tp-bg);
        padding: 0.6em;
        border-radius: 8px;
      }
    `,
  ];

  constructor() {
    super();
    this.locale = 'en';
    this.ask = undefined;
    this.pending = false;
  }

  protected override render() {
    const t = this.t;
    const ask = this.ask;
    if (!ask) return html`<tp-sheet .open=${false} heading=""></tp-sheet>`;
    const b = ask.bundle;
    const redacted = b.redactions.reduce((n, r) => n + r.count, 0);
    return html`<tp-sheet
      .open=${true}
      heading=${t('bundleTitle')}
      @tp-sheet-cancel=${() => emitIntent(this, { kind: 'bundle-answer', send: false })}
    >
      <p id="bundle-intro">
        ${t('bundleIntro', {
          name: ask.requestedBy.name,
          from: formatDateTime(this.locale, b.from),
          to: formatDateTime(this.locale, b.to),
        })}
      </p>
      <ul id="bundle-summary">
        <li>${t('bundleLog', { count: b.agentLog.length })}</li>
        <li>${t('bundleMcu', { count: b.mcu.events.length, errors: b.mcu.activeErrors.join(', ') || '–' })}</li>
        <li>${t('bundleOutbox', { count: b.outbox.depth })}</li>
        <li>${t('bundleSessions', { count: b.helpSessions.length })}</li>
        <li>${t('bundleHost')}</li>
      </ul>
      <p class="detail" id="bundle-redacted">
        ${t('bundleRedacted', { count: redacted })}
        ${
          b.redactions.length
            ? html`(${b.redactions.map((r) => `${t(redactionKey(r.rule))}: ${r.count}`).join(', ')})`
            : nothing
        }
      </p>
      <p class="detail">${t('bundleSize', { kib: Math.max(1, Math.round(ask.sizeBytes / 1024)) })}</p>
      <details>
        <summary>${t('bundleShowContent')}</summary>
        <pre id="bundle-content">${JSON.stringify(b, null, 2)}</pre>
      </details>
      <button
        slot="actions"
        id="bundle-refuse"
        ?disabled=${this.pending}
        @click=${() => emitIntent(this, { kind: 'bundle-answer', send: false })}
      >
        ${t('bundleRefuse')}
      </button>
      <button
        slot="actions"
        id="bundle-send"
        class="primary"
        ?disabled=${this.pending || !this.arm.armed}
        @click=${() => emitIntent(this, { kind: 'bundle-answer', send: true })}
      >
        ${t('bundleSend')}
      </button>
    </tp-sheet>`;
  }

  protected override updated(): void {
    this.arm.track(this.ask !== undefined);
  }
}

function redactionKey(rule: string) {
  switch (rule) {
    case 'email':
      return 'redactEmail' as const;
    case 'ip':
      return 'redactIp' as const;
    case 'mac':
      return 'redactMac' as const;
    default:
      return 'redactSecret' as const;
  }
}

customElements.define('tp-bundle-sheet', TpBundleSheet);
declare global {
  interface HTMLElementTagNameMap {
    'tp-bundle-sheet': TpBundleSheet;
  }
}
