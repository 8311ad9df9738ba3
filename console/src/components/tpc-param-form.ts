import { LitElement, css, html, nothing } from 'lit';
import { localize, type ActionSpec, type ParamSpec } from '@touchpoint/protocol';
import { buildParams, defaultFieldValues, type FieldValue } from '../common/param-form.js';
import { LocaleController } from '../i18n/locale-controller.js';
import { sharedStyles } from './shared-styles.js';

export type ParamsSubmitEvent = CustomEvent<{ action: ActionSpec; params: Record<string, unknown> }>;

/**
 * A form generated from an action's parameter schema. It validates with the
 * same rules as the server before it lets the user go on, and fires
 * `tpc-params-submit` with typed params.
 */
export class TpParamForm extends LitElement {
  static override properties = {
    action: { attribute: false },
    disabled: { type: Boolean },
    _values: { state: true },
    _errors: { state: true },
  };
  declare action: ActionSpec | undefined;
  declare disabled: boolean;
  declare _values: Record<string, FieldValue>;
  declare _errors: Record<string, string>;
  private readonly i18n = new LocaleController(this);

  static override styles = [
    sharedStyles,
    css`
      form {
        display: grid;
        gap: 10px;
      }
      .fields {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(180px, 1fr));
        gap: 10px;
      }
      .check {
        display: flex;
        flex-direction: row;
        align-items: center;
        gap: 8px;
        color: var(--tp-text);
      }
    `,
  ];

  private formFor: ActionSpec | undefined;

  constructor() {
    super();
    this.disabled = false;
    this._values = {};
    this._errors = {};
  }

  protected override willUpdate(): void {
    if (this.action && this.action !== this.formFor) {
      this.formFor = this.action;
      this._values = defaultFieldValues(this.action);
      this._errors = {};
    }
  }

  private set(key: string, value: FieldValue) {
    this._values = { ...this._values, [key]: value };
    if (this._errors[key]) {
      const { [key]: _gone, ...rest } = this._errors;
      this._errors = rest;
    }
  }

  private field(key: string, spec: ParamSpec) {
    const id = `p-${key}`;
    const error = this._errors[key];
    const described = error ? `${id}-err` : nothing;
    const name = localize(spec.label, this.i18n.locale);
    const label = `${name}${spec.required && spec.default === undefined ? ' *' : ''}`;
    const value = this._values[key];
    const errorText = error ? html`<span class="field-error" id="${id}-err">${error}</span>` : nothing;
    switch (spec.type) {
      case 'boolean':
        return html`<div>
          <label class="check"
            ><input
              id=${id}
              type="checkbox"
              .checked=${value === true}
              @change=${(e: Event) => this.set(key, (e.target as HTMLInputElement).checked)}
            />${name}</label
          >${errorText}
        </div>`;
      case 'enum':
        return html`<label
          >${label}<select
            id=${id}
            name=${key}
            aria-invalid=${error ? 'true' : 'false'}
            aria-describedby=${described}
            @change=${(e: Event) => this.set(key, (e.target as HTMLSelectElement).value)}
          >
            ${spec.required && spec.default === undefined ? html`<option value="" ?selected=${value === ''}>${this.i18n.t('param.choose')}</option>` : nothing}
            ${spec.values.map((v) => html`<option value=${v} ?selected=${value === v}>${v}</option>`)}</select
          >${errorText}</label
        >`;
      case 'number':
      case 'integer':
        return html`<label
          >${label}${spec.min !== undefined || spec.max !== undefined ? html` <span class="muted">(${spec.min ?? '…'}–${spec.max ?? '…'})</span>` : nothing}
          <input
            id=${id}
            name=${key}
            inputmode=${spec.type === 'integer' ? 'numeric' : 'decimal'}
            .value=${String(value ?? '')}
            aria-invalid=${error ? 'true' : 'false'}
            aria-describedby=${described}
            @input=${(e: Event) => this.set(key, (e.target as HTMLInputElement).value)}
          />${errorText}</label
        >`;
      case 'string':
        return html`<label
          >${label}<input
            id=${id}
            name=${key}
            maxlength=${spec.maxLength}
            .value=${String(value ?? '')}
            aria-invalid=${error ? 'true' : 'false'}
            aria-describedby=${described}
            @input=${(e: Event) => this.set(key, (e.target as HTMLInputElement).value)}
          />${errorText}</label
        >`;
    }
  }

  private submit(e: Event) {
    e.preventDefault();
    if (!this.action) return;
    const result = buildParams(this.action, this._values, this.i18n.t('param.required'));
    if (!result.ok) {
      this._errors = result.errors;
      return;
    }
    this.dispatchEvent(
      new CustomEvent('tpc-params-submit', {
        detail: { action: this.action, params: result.params },
        bubbles: true,
        composed: true,
      }),
    );
  }

  override render() {
    if (!this.action) return nothing;
    const entries = Object.entries(this.action.params);
    return html`<form novalidate @submit=${this.submit}>
      ${entries.length ? html`<div class="fields">${entries.map(([k, s]) => this.field(k, s))}</div>` : html`<p class="muted">${this.i18n.t('param.none')}</p>`}
      <div class="row">
        <button class="primary" type="submit" ?disabled=${this.disabled}>${this.i18n.t('param.review')}</button>
      </div>
    </form>`;
  }
}
customElements.define('tpc-param-form', TpParamForm);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-param-form': TpParamForm;
  }
  interface HTMLElementEventMap {
    'tpc-params-submit': ParamsSubmitEvent;
  }
}
