import { LitElement, css, html, nothing } from 'lit';
import type { CommandView } from '@touchpoint/protocol';
import { commandStages } from '../common/command-stages.js';
import { formatTime } from '../common/format-time.js';
import { LocaleController } from '../i18n/locale-controller.js';
import { sharedStyles } from './shared-styles.js';

/** A command's progress as a stepper: queued → delivered → accepted → succeeded / failed / expired. */
export class TpCommandStatus extends LitElement {
  static override properties = { command: { attribute: false } };
  declare command: CommandView | undefined;
  private readonly i18n = new LocaleController(this);

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      ol {
        list-style: none;
        display: flex;
        gap: 4px;
        padding: 0;
        margin: 6px 0 0;
        flex-wrap: wrap;
      }
      li {
        display: flex;
        align-items: center;
        gap: 6px;
        font-size: 0.85rem;
        padding: 3px 10px;
        border-radius: 999px;
        background: var(--tp-muted-bg);
        color: var(--tp-text-2);
      }
      li.done {
        background: var(--tp-ok-bg);
        color: var(--tp-ok);
      }
      li.current {
        background: var(--tp-accent-2);
        color: var(--tp-accent);
        font-weight: 600;
      }
      li.failed {
        background: var(--tp-crit-bg);
        color: var(--tp-crit);
        font-weight: 600;
      }
      li.skipped {
        opacity: 0.5;
        text-decoration: line-through;
      }
      .reason {
        font-size: 0.85rem;
        margin-top: 4px;
      }
    `,
  ];

  override render() {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    const c = this.command;
    if (!c) return nothing;
    const status = t(`commandStatus.${c.status}`);
    const last = c.history.at(-1);
    const problem = c.history.find((h) => h.code || h.reason);
    return html`<div class="row">
        <strong>${c.action}</strong><span class="muted mono">${c.id.slice(0, 8)}</span><span class="spacer"></span>
        <span class="muted"
          >${t('command.issued', { by: c.issuedByName ?? c.issuedBy, time: formatTime(c.issuedAt, locale) })}</span
        >
      </div>
      <ol aria-label=${t('command.status')} data-status=${c.status}>
        ${commandStages(c.status).map((s) => html`<li class=${s.state} aria-current=${s.state === 'current' ? 'step' : 'false'}>${s.state === 'done' ? '✓ ' : s.state === 'failed' ? '✕ ' : ''}${t(s.label)}</li>`)}
      </ol>
      ${problem ? html`<div class="reason muted">${problem.code ? html`<span class="mono">${problem.code}</span> ` : nothing}${problem.reason ?? ''}</div>` : nothing}
      <span class="visually-hidden" role="status"
        >${
          last
            ? t('command.announceAt', { action: c.action, status, time: formatTime(last.at, locale) })
            : t('command.announce', { action: c.action, status })
        }</span
      >`;
  }
}
customElements.define('tpc-command-status', TpCommandStatus);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-command-status': TpCommandStatus;
  }
}
