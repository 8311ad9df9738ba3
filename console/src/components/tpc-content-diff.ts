import { LitElement, css, html, nothing } from 'lit';
import { diffContent, type ContentBody, type FieldChange } from '@touchpoint/protocol';
import { sharedStyles } from './shared-styles.js';
import { LocaleController } from '../i18n/locale-controller.js';

const shown = (v: unknown): string => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/**
 * What a version changed against the one it started from (issue 18, "a readable diff"): per flow file,
 * per step, each changed field with its old and new value (protocol's diffContent).
 */
export class TpcContentDiff extends LitElement {
  static override properties = { from: { attribute: false }, to: { attribute: false } };
  /** The version this one started from, and this one. */
  declare from: ContentBody | undefined;
  declare to: ContentBody | undefined;

  private readonly i18n = new LocaleController(this);

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 10px;
      }
      section {
        display: grid;
        gap: 6px;
      }
      table {
        width: 100%;
      }
      td {
        vertical-align: top;
        overflow-wrap: anywhere;
      }
      td.mono {
        white-space: nowrap;
        overflow-wrap: normal;
      }
      del {
        background: #fde7e6;
        text-decoration: line-through;
      }
      ins {
        background: #e3f6e8;
        text-decoration: none;
      }
      .change {
        font-size: 0.8rem;
        text-transform: uppercase;
        color: var(--tp-text-2);
      }
    `,
  ];

  private fields(fields: FieldChange[]) {
    const t = this.i18n.t;
    return html`<table>
      <thead>
        <tr>
          <th scope="col">${t('studio.diffField')}</th>
          <th scope="col">${t('studio.diffBefore')}</th>
          <th scope="col">${t('studio.diffAfter')}</th>
        </tr>
      </thead>
      <tbody>
        ${fields.map(
          (f) =>
            html`<tr>
              <td class="mono">${f.path}</td>
              <td>${f.before === undefined ? nothing : html`<del>${shown(f.before)}</del>`}</td>
              <td>${f.after === undefined ? nothing : html`<ins>${shown(f.after)}</ins>`}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  }

  protected override render() {
    const t = this.i18n.t;
    if (!this.from || !this.to) return nothing;
    const diff = diffContent(this.from, this.to);
    if (diff.flows.length === 0 && diff.images.length === 0) return html`<p class="muted">${t('studio.diffNone')}</p>`;
    return html`${diff.flows.map(
      (f) =>
        html`<section class="diff-flow" data-file=${f.file}>
          <h3>${f.file} <span class="change">${t(`studio.change.${f.change}`)}</span></h3>
          ${f.fields.length ? this.fields(f.fields) : nothing}
          ${f.steps.map(
            (s) =>
              html`<h4 class="diff-step" data-step=${s.stepId}>
                  ${t('studio.diffStep', { step: s.stepId })}
                  <span class="change">${t(`studio.change.${s.change}`)}</span>
                </h4>
                ${this.fields(s.fields)}`,
          )}
        </section>`,
    )}
    ${diff.images.map((i) => html`<p>${i.path} <span class="change">${t(`studio.change.${i.change}`)}</span></p>`)}`;
  }
}

customElements.define('tpc-content-diff', TpcContentDiff);
declare global {
  interface HTMLElementTagNameMap {
    'tpc-content-diff': TpcContentDiff;
  }
}
