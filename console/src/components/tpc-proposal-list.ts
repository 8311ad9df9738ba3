import { LitElement, html, nothing } from 'lit';
import type { ProposalView } from '@touchpoint/protocol';
import { formatTime } from '../common/format-time.js';
import { routeHref } from '../common/route.js';
import { sharedStyles } from './shared-styles.js';
import { LocaleController } from '../i18n/locale-controller.js';

/**
 * Proposals with their evidence (issue 18): who asked for a change (staff from a case, a customer from the
 * rating screen, a maker from the CLI), which flow and step, why, and the case or rating behind it.
 */
export class TpcProposalList extends LitElement {
  static override properties = { proposals: { attribute: false } };
  declare proposals: ProposalView[];

  private readonly i18n = new LocaleController(this);
  static override styles = [sharedStyles];

  constructor() {
    super();
    this.proposals = [];
  }

  protected override render() {
    const t = this.i18n.t;
    if (this.proposals.length === 0) return html`<p class="muted">${t('studio.noProposals')}</p>`;
    return html`<table>
      <thead>
        <tr>
          <th scope="col">${t('studio.proposalSource')}</th>
          <th scope="col">${t('studio.proposalWhere')}</th>
          <th scope="col">${t('studio.proposalWhy')}</th>
          <th scope="col">${t('studio.proposalEvidence')}</th>
        </tr>
      </thead>
      <tbody>
        ${this.proposals.map(
          (p) =>
            html`<tr data-proposal=${p.id}>
              <td>
                ${t(`studio.source.${p.source}`)}<br /><span class="muted"
                  >${formatTime(p.createdAt, this.i18n.locale)}</span
                >
              </td>
              <td class="mono">${p.flowId ?? '—'}${p.stepId ? ` › ${p.stepId}` : ''}</td>
              <td>
                ${p.reasons.map((r) => t(`studio.reason.${r}`)).join(', ')}${p.reasons.length && p.text ? html`<br />` : nothing}${p.text}
              </td>
              <td>
                ${p.caseId ? html`<a href=${routeHref({ view: 'queue', caseId: p.caseId })}>${t('studio.case')}</a>` : nothing}
                ${p.rating !== null ? html` ${t('studio.rating', { ces: p.rating })}` : nothing}
                ${p.stepId ? html` ${t('studio.dropOff', { step: p.stepId })}` : nothing}
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  }
}

customElements.define('tpc-proposal-list', TpcProposalList);
declare global {
  interface HTMLElementTagNameMap {
    'tpc-proposal-list': TpcProposalList;
  }
}
