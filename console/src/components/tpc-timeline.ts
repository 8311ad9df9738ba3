import { LitElement, css, html } from 'lit';
import type { TimelineItem } from '@touchpoint/protocol';
import { formatTime } from '../common/format-time.js';
import { LocaleController } from '../i18n/locale-controller.js';
import { sharedStyles } from './shared-styles.js';

const ICON: Record<TimelineItem['kind'], string> = {
  presence: '◉',
  help: '?',
  case: '⚑',
  command: '➤',
  diagnostics: '≋',
  error: '!',
  link: '⇄',
};

/** A device's history, newest first; fires `tpc-load-more` when the user asks for older entries. */
export class TpTimeline extends LitElement {
  static override properties = { items: { attribute: false }, hasMore: { type: Boolean } };
  declare items: readonly TimelineItem[];
  declare hasMore: boolean;
  private readonly i18n = new LocaleController(this);

  static override styles = [
    sharedStyles,
    css`
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        display: grid;
        grid-template-columns: 24px 150px 1fr;
        gap: 8px;
        padding: 5px 0;
        border-bottom: 1px solid var(--tp-surface-2);
      }
      .icon {
        text-align: center;
        color: var(--tp-text-2);
      }
      li[data-kind='error'] .icon {
        color: var(--tp-crit);
      }
      li[data-kind='case'] .icon {
        color: var(--tp-warn);
      }
      li[data-kind='command'] .icon {
        color: var(--tp-accent);
      }
      .at {
        color: var(--tp-text-2);
        font-variant-numeric: tabular-nums;
        font-size: 0.85rem;
      }
    `,
  ];

  constructor() {
    super();
    this.items = [];
    this.hasMore = false;
  }

  override render() {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    // Titles and details come from the broker's device history as it wrote them.
    return html`<ol aria-label=${t('timeline.label')}>
        ${this.items.map(
          (i) =>
            html`<li data-kind=${i.kind}>
              <span class="icon" aria-hidden="true">${ICON[i.kind]}</span
              ><span class="at">${formatTime(i.at, locale)}</span>
              <span>${i.title}${i.detail ? html` <span class="muted">— ${i.detail}</span>` : ''}</span>
            </li>`,
        )}
      </ol>
      ${this.items.length === 0 ? html`<p class="muted">${t('timeline.empty')}</p>` : ''}
      ${this.hasMore ? html`<button @click=${() => this.dispatchEvent(new CustomEvent('tpc-load-more'))}>${t('timeline.older')}</button>` : ''}`;
  }
}
customElements.define('tpc-timeline', TpTimeline);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-timeline': TpTimeline;
  }
}
