import { LitElement, html } from 'lit';
import { formatTime } from '../common/format-time.js';
import { LocaleController } from '../i18n/locale-controller.js';
import './tpc-badge.js';
import { sharedStyles } from './shared-styles.js';

/**
 * Whether the customer allows remote control on the touchscreen (issue 16), from
 * the device's newest diagnostics (`agent.remoteControlUntil`): while allowed,
 * actions the profile marks as needing the customer run without their tap;
 * otherwise the device asks them first. `known` false: no diagnostics yet.
 */
export class TpRemoteControl extends LitElement {
  static override properties = { until: { attribute: false }, now: { attribute: false }, known: { attribute: false } };
  declare until: number | undefined;
  declare now: number;
  declare known: boolean;

  static override styles = [sharedStyles];
  private readonly i18n = new LocaleController(this);

  constructor() {
    super();
    this.now = Date.now();
    this.known = true;
  }

  override render() {
    const t = this.i18n.t;
    if (!this.known) return html`<span class="muted" data-remote="unknown">${t('remote.unknown')}</span>`;
    return this.until !== undefined && this.until > this.now
      ? html`<span data-remote="allowed"
          ><tpc-badge tone="ok" label=${t('remote.allowed')}></tpc-badge>
          ${t('remote.until', { time: formatTime(this.until, this.i18n.locale) })}</span
        >`
      : html`<span class="muted" data-remote="off">${t('remote.notAllowed')}</span>`;
  }
}
customElements.define('tpc-remote-control', TpRemoteControl);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-remote-control': TpRemoteControl;
  }
}
