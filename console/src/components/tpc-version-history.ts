import { LitElement, css, html, nothing } from 'lit';
import type { ContentVersionInfoView } from '@touchpoint/protocol';
import { formatTime } from '../common/format-time.js';
import { routeHref } from '../common/route.js';
import { sharedStyles } from './shared-styles.js';
import type { BadgeTone } from './tpc-badge.js';
import './tpc-badge.js';
import { LocaleController } from '../i18n/locale-controller.js';

const TONE: Record<ContentVersionInfoView['status'], BadgeTone> = {
  draft: 'muted',
  proposed: 'warning',
  approved: 'ok',
  rejected: 'critical',
};

/** A model's content versions, newest first (issue 18, "versions with history"): who wrote and who reviewed each. */
export class TpcVersionHistory extends LitElement {
  static override properties = { versions: { attribute: false }, selected: {} };
  declare versions: ContentVersionInfoView[];
  declare selected: string;

  private readonly i18n = new LocaleController(this);

  static override styles = [
    sharedStyles,
    css`
      tr[aria-current='true'] td {
        background: var(--tp-accent-soft, #eaf0fc);
      }
      td {
        vertical-align: top;
      }
    `,
  ];

  constructor() {
    super();
    this.versions = [];
    this.selected = '';
  }

  protected override render() {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    return html`<table>
      <caption class="muted">
        ${t('studio.history')}
      </caption>
      <thead>
        <tr>
          <th scope="col">${t('studio.version')}</th>
          <th scope="col">${t('studio.status')}</th>
          <th scope="col">${t('studio.summary')}</th>
          <th scope="col">${t('studio.author')}</th>
          <th scope="col">${t('studio.reviewer')}</th>
        </tr>
      </thead>
      <tbody>
        ${this.versions.map(
          (v) =>
            html`<tr aria-current=${v.id === this.selected ? 'true' : 'false'} data-version=${v.number}>
              <td>
                <a href=${routeHref({ view: 'studio', model: v.model, versionId: v.id })}>v${v.number}</a>
                ${v.baseline ? html`<tpc-badge tone="info" label=${t('studio.live')}></tpc-badge>` : nothing}
              </td>
              <td><tpc-badge tone=${TONE[v.status]} label=${t(`studio.status.${v.status}`)}></tpc-badge></td>
              <td>${v.summary}</td>
              <td>${v.authorName}<br /><span class="muted">${formatTime(v.createdAt, locale)}</span></td>
              <td>
                ${
                  v.reviewerName
                    ? html`${v.reviewerName}<br /><span class="muted"
                          >${v.reviewedAt ? formatTime(v.reviewedAt, locale) : ''}</span
                        >${v.reviewNote ? html`<br />“${v.reviewNote}”` : nothing}`
                    : '—'
                }
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  }
}

customElements.define('tpc-version-history', TpcVersionHistory);
declare global {
  interface HTMLElementTagNameMap {
    'tpc-version-history': TpcVersionHistory;
  }
}
