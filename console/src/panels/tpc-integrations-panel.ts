import { LitElement, css, html, nothing } from 'lit';
import type { IntegrationView } from '@touchpoint/protocol';
import '../components/tpc-badge.js';
import '../components/tpc-confirm-dialog.js';
import '../components/tpc-shown-once.js';
import { listTable } from '../components/list-table.js';
import type { TpConfirmDialog } from '../components/tpc-confirm-dialog.js';
import { sharedStyles } from '../components/shared-styles.js';
import { formatTime } from '../common/format-time.js';
import { readIntegrationForm, type IntegrationField } from '../common/integration-form.js';
import { LocaleController } from '../i18n/locale-controller.js';
import type { MessageKey } from '../i18n/translator.js';

/** This view's keys in the catalogue, without their `integrations.` prefix. */
type Unprefixed<K> = K extends `integrations.${infer Rest}` ? Rest : never;
type IntegrationTextKey = Unprefixed<MessageKey>;
import { ApiError } from '../data/api.js';
import { createIntegration, listIntegrations, revokeIntegration, rotateIntegration } from '../data/integrations.js';

type Problems = Partial<Record<IntegrationField | 'form', string[]>>;

/** A token the broker just made: shown in this view once, never fetched again. */
interface FreshToken {
  name: string;
  token: string;
  clientIdPrefix: string;
}

/**
 * Admin only (issue 13): the integration accounts a maker's backends use on
 * MQTT. Lists them with their rights, creates one (the token is shown once),
 * rotates and revokes after a confirmation. The built-in service account is
 * listed for completeness but has no buttons: the broker refuses to change it.
 */
export class TpIntegrationsPanel extends LitElement {
  static override properties = {
    _accounts: { state: true },
    _error: { state: true },
    _problems: { state: true },
    _fresh: { state: true },
    _notice: { state: true },
    _pending: { state: true },
    _busy: { state: true },
  };
  declare _accounts: IntegrationView[] | undefined;
  declare _error: string | undefined;
  declare _problems: Problems;
  declare _fresh: FreshToken | undefined;
  declare _notice: string | undefined;
  declare _pending: { verb: 'rotate' | 'revoke'; name: string } | undefined;
  declare _busy: boolean;
  private readonly i18n = new LocaleController(this);

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 16px;
      }
      .intro {
        max-width: 72ch;
      }
      form {
        display: grid;
        gap: 10px;
        max-width: 640px;
      }
      textarea {
        font-family: var(--tp-mono);
        min-height: 3.2em;
        resize: vertical;
      }
      .chips {
        display: flex;
        flex-wrap: wrap;
        gap: 4px;
      }
      .chip {
        display: inline-flex;
        gap: 4px;
        align-items: baseline;
        padding: 1px 8px;
        border-radius: 999px;
        background: var(--tp-surface-2);
        border: 1px solid var(--tp-border);
        font-size: 0.8rem;
      }
      .chip .k {
        color: var(--tp-text-2);
      }
      .chip.publish {
        background: var(--tp-info-bg);
      }
      .chip.deny {
        background: var(--tp-crit-bg);
      }
      tr.revoked td {
        color: var(--tp-text-2);
      }
      td.name,
      td.when {
        white-space: nowrap;
      }
      td .row {
        flex-wrap: nowrap;
      }
      td .row button {
        white-space: nowrap;
      }
      tpc-shown-once dl {
        gap: 2px 12px;
      }
    `,
  ];

  constructor() {
    super();
    this._problems = {};
    this._busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private t(key: IntegrationTextKey, name = ''): string {
    return this.i18n.t(`integrations.${key}`, { name });
  }

  private async load() {
    try {
      this._accounts = await listIntegrations();
    } catch (err) {
      this._error = (err as Error).message;
    }
  }

  private async create(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const field = (k: IntegrationField) => String(f.get(k) ?? '');
    const read = readIntegrationForm({
      name: field('name'),
      subscribe: field('subscribe'),
      publish: field('publish'),
      deny: field('deny'),
      models: field('models'),
      clientIdPrefix: field('clientIdPrefix'),
    });
    this._error = undefined;
    this._notice = undefined;
    if (!read.ok) {
      this._problems = read.problems;
      return;
    }
    this._problems = {};
    this._busy = true;
    try {
      const { account, token } = await createIntegration(read.request);
      this.showToken({ name: account.name, token, clientIdPrefix: account.clientIdPrefix });
      this._notice = this.t('created', account.name);
      form.reset();
      await this.load();
    } catch (err) {
      // The broker has the last word (a taken name, a rule the form does not know yet): show it where it belongs.
      if (err instanceof ApiError && err.code === 'CONFLICT') this._problems = { name: [err.message] };
      else if (err instanceof ApiError && err.status === 400) this._problems = { form: [err.message] };
      else this._error = (err as Error).message;
    } finally {
      this._busy = false;
    }
  }

  private showToken(fresh: FreshToken) {
    this._fresh = fresh;
  }

  private async confirmThen(verb: 'rotate' | 'revoke', name: string) {
    this._pending = { verb, name };
    await this.updateComplete;
    const dialog = this.renderRoot.querySelector<TpConfirmDialog>('#confirm-integration')!;
    const ok = await dialog.ask();
    this._pending = undefined;
    if (!ok) return;
    this._error = undefined;
    this._notice = undefined;
    this._busy = true;
    try {
      if (verb === 'rotate') {
        const { account, token } = await rotateIntegration(name);
        this.showToken({ name, token, clientIdPrefix: account.clientIdPrefix });
        this._notice = this.t('rotated', name);
      } else {
        await revokeIntegration(name);
        if (this._fresh?.name === name) this._fresh = undefined;
        this._notice = this.t('revokedDone', name);
      }
      await this.load();
    } catch (err) {
      this._error = (err as Error).message;
    } finally {
      this._busy = false;
    }
  }

  private problems(field: IntegrationField | 'form') {
    const list = this._problems[field];
    return list?.length
      ? html`<div class="field-error" role="alert" data-problems=${field}>
          ${list.map((p) => html`<div>${p}</div>`)}
        </div>`
      : nothing;
  }

  private chips(a: IntegrationView) {
    const r = a.rights;
    const chip = (kind: string, key: IntegrationTextKey, value: string) =>
      html`<span class="chip ${kind}"><span class="k">${this.t(key)}</span><span class="mono">${value}</span></span>`;
    return html`<div class="chips">
      ${r.subscribe.map((f) => chip('subscribe', 'chipSubscribe', f))}
      ${r.publish.map((f) => chip('publish', 'chipPublish', f))} ${r.deny.map((f) => chip('deny', 'chipDeny', f))}
      ${r.models.map((m) => chip('model', 'chipModels', m))} ${chip('prefix', 'chipPrefix', `${a.clientIdPrefix}*`)}
      ${r.anonymousLoopback ? html`<span class="chip"><span class="k">${this.t('chipAnonymous')}</span></span>` : nothing}
    </div>`;
  }

  private row(a: IntegrationView) {
    const revoked = a.revokedAt !== null;
    const status = a.builtin
      ? html`<tpc-badge tone="info" label=${this.t('builtin')} title=${this.t('builtinNote')}></tpc-badge>`
      : html`<tpc-badge tone=${revoked ? 'muted' : 'ok'} label=${this.t(revoked ? 'revoked' : 'active')}></tpc-badge>`;
    return html`<tr data-account=${a.name} class=${revoked ? 'revoked' : ''}>
      <td class="mono name">${a.name}</td>
      <td>${this.chips(a)}</td>
      <td class="when">
        ${formatTime(a.createdAt, this.i18n.locale)}
        <div class="muted">${this.t('by', a.createdBy)}</div>
      </td>
      <td class="when">
        ${a.rotatedAt !== null ? formatTime(a.rotatedAt, this.i18n.locale) : html`<span class="muted">${this.t('never')}</span>`}
      </td>
      <td>
        ${status}${revoked ? html`<div class="muted">${formatTime(a.revokedAt!, this.i18n.locale)}</div>` : nothing}
      </td>
      <td>
        ${
          a.builtin || revoked
            ? nothing
            : html`<div class="row">
                <button class="rotate" ?disabled=${this._busy} @click=${() => void this.confirmThen('rotate', a.name)}>
                  ${this.t('rotate')}
                </button>
                <button
                  class="revoke danger"
                  ?disabled=${this._busy}
                  @click=${() => void this.confirmThen('revoke', a.name)}
                >
                  ${this.t('revoke')}
                </button>
              </div>`
        }
      </td>
    </tr>`;
  }

  private secret(fresh: FreshToken) {
    return html`<tpc-shown-once
      .label=${this.t('tokenFor', fresh.name)}
      .notice=${this.t('shownOnce')}
      .value=${fresh.token}
      @done=${() => (this._fresh = undefined)}
    >
      <dl>
        <dt>${this.t('userName')}</dt>
        <dd class="mono">${fresh.name}</dd>
        <dt>${this.t('clientIds')}</dt>
        <dd class="mono">${fresh.clientIdPrefix}</dd>
      </dl>
    </tpc-shown-once>`;
  }

  override render() {
    const pending = this._pending;
    return html` <h1>${this.t('title')}</h1>
      <p class="intro muted">${this.t('intro')} <span class="mono">${this.t('guide')}</span></p>
      ${this._error ? html`<div class="error-box" role="alert">${this._error}</div>` : nothing}
      ${this._notice ? html`<div class="muted" role="status" data-notice>${this._notice}</div>` : nothing}
      ${this._fresh ? this.secret(this._fresh) : nothing}
      <section class="card">
        <h2>${this.t('accounts')}</h2>
        ${listTable({
          items: this._accounts,
          loading: this.t('loading'),
          empty: this.t('empty'),
          columns: [
            this.t('colName'),
            this.t('colRights'),
            this.t('colCreated'),
            this.t('colRotated'),
            this.t('colStatus'),
            { hidden: this.t('colActions') },
          ],
          row: (a) => this.row(a),
        })}
      </section>
      <section class="card">
        <h2>${this.t('createHeading')}</h2>
        <form @submit=${(e: SubmitEvent) => void this.create(e)} novalidate>
          <label>${this.t('fieldName')}<input name="name" required autocomplete="off" placeholder="erp" /></label
          >${this.problems('name')}
          <label
            >${this.t('fieldSubscribe')}<textarea
              name="subscribe"
              rows="3"
              placeholder="tp/v1/d/+/evt&#10;tp/v1/d/+/diag"
            ></textarea></label
          >${this.problems('subscribe')}
          <label>${this.t('fieldPublish')}<textarea name="publish" rows="2" placeholder="erp/out/#"></textarea></label
          >${this.problems('publish')}
          <label>${this.t('fieldDeny')}<textarea name="deny" rows="2"></textarea></label>${this.problems('deny')}
          <label
            >${this.t('fieldModels')}<textarea name="models" rows="2" placeholder="coffee-machine"></textarea></label
          >${this.problems('models')}
          <label>${this.t('fieldPrefix')}<input name="clientIdPrefix" autocomplete="off" /></label
          >${this.problems('clientIdPrefix')} ${this.problems('form')}
          <div><button class="primary" type="submit" ?disabled=${this._busy}>${this.t('create')}</button></div>
        </form>
      </section>
      <tpc-confirm-dialog
        id="confirm-integration"
        heading=${pending ? this.t(pending.verb === 'rotate' ? 'rotateHeading' : 'revokeHeading', pending.name) : ''}
        confirmLabel=${pending ? this.t(pending.verb) : ''}
        cancelLabel=${this.t('cancel')}
      >
        ${pending ? html`<p>${this.t(pending.verb === 'rotate' ? 'rotateBody' : 'revokeBody')}</p>` : nothing}
      </tpc-confirm-dialog>`;
  }
}
customElements.define('tpc-integrations-panel', TpIntegrationsPanel);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-integrations-panel': TpIntegrationsPanel;
  }
}
