import { LitElement, css, html } from 'lit';
import { cesScale } from '../common/ces-scale.js';
import { emitIntent } from '../components/intent.js';
import type { Translate } from '../i18n/translator.js';
import { shared } from '../styles/shared.js';

/**
 * The Customer Effort Score (1-7) and "Did this help?", as native radio groups
 * in fieldsets: each input has its label in this shadow root, arrow keys move
 * within a group, and the whole label is the touch target.
 */
export class TpRating extends LitElement {
  static override properties = {
    t: { attribute: false },
    question: {},
    helpedQuestion: {},
    lowLabel: {},
    highLabel: {},
    disabled: { type: Boolean },
    ces: { state: true },
    helped: { state: true },
    missing: { state: true },
  };
  declare t: Translate;
  declare question: string;
  declare helpedQuestion: string;
  declare lowLabel: string;
  declare highLabel: string;
  declare disabled: boolean;
  declare ces: number | undefined;
  declare helped: boolean | undefined;
  declare missing: boolean;

  static override styles = [
    shared,
    css`
      form {
        display: flex;
        flex-direction: column;
        gap: 0.9em;
      }
      fieldset {
        border: none;
        margin: 0;
        padding: 0;
        min-width: 0;
      }
      legend {
        font-weight: 700;
        margin-bottom: 0.4em;
        padding: 0;
      }
      .scale {
        display: grid;
        grid-template-columns: repeat(7, minmax(48px, 1fr));
        gap: 0.35em;
      }
      .yesno {
        display: flex;
        gap: 0.6em;
      }
      .yesno label {
        min-width: 6em;
      }
      input {
        position: absolute;
        opacity: 0;
        width: 1px;
        height: 1px;
      }
      label {
        display: flex;
        align-items: center;
        justify-content: center;
        min-height: 52px;
        min-width: 48px;
        border: 2px solid var(--tp-primary);
        border-radius: 12px;
        font-weight: 700;
        color: var(--tp-primary);
        background: var(--tp-surface);
        cursor: pointer;
        font-variant-numeric: tabular-nums;
      }
      input:checked + label {
        background: var(--tp-primary);
        color: var(--tp-on-primary);
      }
      .ends {
        display: flex;
        justify-content: space-between;
        color: var(--tp-muted);
        font-size: 0.9em;
        margin-top: 0.25em;
      }
      .submit {
        display: flex;
        justify-content: flex-end;
        align-items: center;
        gap: 0.8em;
      }
    `,
  ];

  constructor() {
    super();
    this.disabled = false;
    this.missing = false;
    this.question = '';
    this.helpedQuestion = '';
    this.lowLabel = '';
    this.highLabel = '';
  }

  protected override render() {
    const t = this.t;
    return html`<form @submit=${this.onSubmit}>
      <fieldset>
        <legend id="ces-legend">${this.question}</legend>
        <div class="scale">
          ${cesScale().map(
            (n) =>
              html`<span>
                <input
                  type="radio"
                  name="ces"
                  id="ces-${n}"
                  value=${n}
                  .checked=${this.ces === n}
                  @change=${() => this.pick(n)}
                />
                <label for="ces-${n}" title=${t('cesValue', { count: n })}
                  ><span aria-hidden="true">${n}</span
                  ><span class="visually-hidden"
                    >${t('cesValue', { count: n })}${n === 1 ? `, ${this.lowLabel}` : n === 7 ? `, ${this.highLabel}` : ''}</span
                  ></label
                >
              </span>`,
          )}
        </div>
        <div class="ends" aria-hidden="true"><span>1 = ${this.lowLabel}</span><span>7 = ${this.highLabel}</span></div>
      </fieldset>
      <fieldset>
        <legend>${this.helpedQuestion}</legend>
        <div class="yesno">
          <span
            ><input
              type="radio"
              name="helped"
              id="helped-yes"
              .checked=${this.helped === true}
              @change=${() => this.pickHelped(true)}
            /><label for="helped-yes">${t('helpedYes')}</label></span
          >
          <span
            ><input
              type="radio"
              name="helped"
              id="helped-no"
              .checked=${this.helped === false}
              @change=${() => this.pickHelped(false)}
            /><label for="helped-no">${t('helpedNo')}</label></span
          >
        </div>
      </fieldset>
      <div class="submit">
        <span class="error" role="alert">${this.missing ? t('chooseRating') : ''}</span>
        <button class="primary" type="submit" ?disabled=${this.disabled}>${t('send')}</button>
      </div>
    </form>`;
  }

  private pick(n: number): void {
    this.ces = n;
    this.missing = false;
  }

  private pickHelped(helped: boolean): void {
    this.helped = helped;
    this.missing = false;
  }

  private onSubmit(event: Event): void {
    event.preventDefault();
    // Both answers are asked for, never assumed: they go into the fleet's statistics.
    if (this.ces === undefined || this.helped === undefined) {
      this.missing = true;
      return;
    }
    emitIntent(this, { kind: 'rate', ces: this.ces, helped: this.helped });
  }
}

customElements.define('tp-rating', TpRating);
declare global {
  interface HTMLElementTagNameMap {
    'tp-rating': TpRating;
  }
}
