import { LitElement, css, html, nothing } from 'lit';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType, type WebhookKind, type WebhookView } from '@touchpoint/protocol';
import '../components/tpc-badge.js';
import '../components/tpc-confirm-dialog.js';
import '../components/tpc-webhook-deliveries.js';
import '../components/tpc-shown-once.js';
import { listTable } from '../components/list-table.js';
import type { TpConfirmDialog } from '../components/tpc-confirm-dialog.js';
import type { TpWebhookDeliveries } from '../components/tpc-webhook-deliveries.js';
import { sharedStyles } from '../components/shared-styles.js';
import { ApiError } from '../data/api.js';
import { createWebhook, deleteWebhook, listWebhooks, rotateWebhook, updateWebhook } from '../data/webhooks.js';
import { LocaleController } from '../i18n/locale-controller.js';

/** A secret the broker just made: shown in this view once, never fetched again. */
interface FreshSecret {
  name: string;
  kind: WebhookKind;
  secret: string;
  /** Zammad: the full URL its webhook must call. */
  inboundUrl: string | undefined;
}

/**
 * Admin only (issue 17): the webhooks and the Zammad connector. Lists them with their queue, creates one
 * (the secret is shown once), edits, pauses, rotates and deletes after a confirmation; below, the
 * deliveries with their attempts, the dead-letter list and replay. Every change is audited by the broker.
 */
export class TpWebhooksPanel extends LitElement {
  static override properties = {
    _endpoints: { state: true },
    _kind: { state: true },
    _editing: { state: true },
    _fresh: { state: true },
    _error: { state: true },
    _formError: { state: true },
    _notice: { state: true },
    _pending: { state: true },
    _busy: { state: true },
  };
  declare _endpoints: WebhookView[] | undefined;
  declare _kind: WebhookKind;
  declare _editing: WebhookView | undefined;
  declare _fresh: FreshSecret | undefined;
  declare _error: string | undefined;
  declare _formError: string | undefined;
  declare _notice: string | undefined;
  declare _pending: { verb: 'rotate' | 'delete'; endpoint: WebhookView } | undefined;
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
      fieldset {
        border: 1px solid var(--tp-border);
        border-radius: 8px;
        display: grid;
        gap: 4px;
      }
      label.check {
        display: flex;
        align-items: center;
        gap: 8px;
        color: var(--tp-text);
      }
      label.check input {
        min-height: 0;
        margin: 0;
      }
      .chips {
        display: flex;
        flex-wrap: wrap;
        gap: 4px;
      }
      .chip {
        padding: 1px 8px;
        border-radius: 999px;
        background: var(--tp-surface-2);
        border: 1px solid var(--tp-border);
        font-size: 0.8rem;
      }
      td.url {
        word-break: break-all;
      }
      td .row {
        flex-wrap: nowrap;
      }
      td .row button {
        white-space: nowrap;
      }
    `,
  ];

  constructor() {
    super();
    this._kind = 'webhook';
    this._busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  /** The endpoints, and the deliveries below (whose reload brings the endpoints' queue counts along). */
  private async load() {
    const deliveries = this.renderRoot.querySelector<TpWebhookDeliveries>('tpc-webhook-deliveries');
    if (deliveries) await deliveries.load();
    else await this.loadEndpoints();
  }

  private readonly loadEndpoints = async () => {
    try {
      this._endpoints = await listWebhooks();
    } catch (err) {
      this._error = (err as Error).message;
    }
  };

  private async run(work: () => Promise<void>) {
    this._error = undefined;
    this._formError = undefined;
    this._notice = undefined;
    this._busy = true;
    try {
      await work();
      await this.load();
    } catch (err) {
      // The broker has the last word (a bad URL, a taken name): shown at the form when it is about the form.
      if (err instanceof ApiError && (err.status === 400 || err.status === 409)) this._formError = err.message;
      else this._error = (err as Error).message;
    } finally {
      this._busy = false;
    }
  }

  private submit(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const text = (k: string) => String(f.get(k) ?? '').trim();
    const events = f.getAll('events').map(String) as WebhookEventType[];
    const enabled = f.get('enabled') === 'on';
    const editing = this._editing;
    void this.run(async () => {
      if (editing) {
        await updateWebhook(editing.id, {
          url: text('url'),
          enabled,
          ...(editing.kind === 'webhook'
            ? { events }
            : { zammad: { group: text('group'), customer: text('customer') } }),
        });
        this._notice = this.i18n.t('webhooks.saved', { name: editing.name });
        this._editing = undefined;
        form.reset();
        return;
      }
      const { endpoint, secret, inboundPath } = await createWebhook(
        this._kind === 'webhook'
          ? { kind: 'webhook', name: text('name'), url: text('url'), events, enabled }
          : {
              kind: 'zammad',
              name: text('name'),
              url: text('url'),
              token: text('token'),
              zammad: { group: text('group'), customer: text('customer') },
              enabled,
            },
      );
      this.show(endpoint, secret, inboundPath);
      this._notice = this.i18n.t('webhooks.created', { name: endpoint.name });
      form.reset();
    });
  }

  private show(endpoint: WebhookView, secret: string, inboundPath: string | undefined) {
    this._fresh = {
      name: endpoint.name,
      kind: endpoint.kind,
      secret,
      inboundUrl: inboundPath ? new URL(inboundPath, window.location.href).href : undefined,
    };
  }

  private toggle(endpoint: WebhookView) {
    void this.run(async () => {
      await updateWebhook(endpoint.id, { enabled: !endpoint.enabled });
      this._notice = this.i18n.t('webhooks.saved', { name: endpoint.name });
    });
  }

  private async confirmThen(verb: 'rotate' | 'delete', endpoint: WebhookView) {
    this._pending = { verb, endpoint };
    await this.updateComplete;
    const ok = await this.renderRoot.querySelector<TpConfirmDialog>('#confirm-webhook')!.ask();
    this._pending = undefined;
    if (!ok) return;
    await this.run(async () => {
      if (verb === 'rotate') {
        const { secret, inboundPath } = await rotateWebhook(endpoint.id);
        this.show(endpoint, secret, inboundPath);
        this._notice = this.i18n.t('webhooks.rotated', { name: endpoint.name });
      } else {
        await deleteWebhook(endpoint.id);
        if (this._fresh?.name === endpoint.name) this._fresh = undefined;
        if (this._editing?.id === endpoint.id) this._editing = undefined;
        this._notice = this.i18n.t('webhooks.deleted', { name: endpoint.name });
      }
    });
  }

  private row(e: WebhookView) {
    const t = this.i18n.t;
    return html`<tr data-webhook=${e.name}>
      <td>
        <span class="mono">${e.name}</span>
        <div class="muted">${t(`webhooks.kind.${e.kind}`)}</div>
      </td>
      <td class="mono url">${e.url}</td>
      <td>
        <div class="chips">${e.events.map((ev) => html`<span class="chip">${t(`webhooks.event.${ev}`)}</span>`)}</div>
      </td>
      <td data-queue>${t('webhooks.queueCounts', { pending: e.pending, dead: e.dead })}</td>
      <td>
        <tpc-badge
          tone=${e.enabled ? 'ok' : 'muted'}
          label=${t(e.enabled ? 'webhooks.enabled' : 'webhooks.disabled')}
        ></tpc-badge>
      </td>
      <td>
        <div class="row">
          <button class="toggle" ?disabled=${this._busy} @click=${() => this.toggle(e)}>
            ${t(e.enabled ? 'webhooks.disable' : 'webhooks.enable')}
          </button>
          <button
            class="edit"
            ?disabled=${this._busy}
            @click=${() => {
              this._editing = e;
              this._kind = e.kind;
            }}
          >
            ${t('webhooks.edit')}
          </button>
          <button class="rotate" ?disabled=${this._busy} @click=${() => void this.confirmThen('rotate', e)}>
            ${t('webhooks.rotate')}
          </button>
          <button class="delete danger" ?disabled=${this._busy} @click=${() => void this.confirmThen('delete', e)}>
            ${t('webhooks.delete')}
          </button>
        </div>
      </td>
    </tr>`;
  }

  private secret(fresh: FreshSecret) {
    const t = this.i18n.t;
    return html`<tpc-shown-once
      .label=${t(fresh.kind === 'zammad' ? 'webhooks.inboundFor' : 'webhooks.secretFor', { name: fresh.name })}
      .notice=${t('webhooks.shownOnce')}
      .value=${fresh.secret}
      @done=${() => (this._fresh = undefined)}
    >
      ${fresh.inboundUrl ? html`<p data-inbound>${t('webhooks.inboundHint', { url: fresh.inboundUrl })}</p>` : nothing}
    </tpc-shown-once>`;
  }

  private form() {
    const t = this.i18n.t;
    const editing = this._editing;
    const kind = editing?.kind ?? this._kind;
    const events = new Set<WebhookEventType>(editing?.events ?? ['case.opened', 'case.updated', 'case.resolved']);
    return html`<section class="card">
      <h2>${editing ? t('webhooks.editHeading', { name: editing.name }) : t('webhooks.createHeading')}</h2>
      <form @submit=${(e: SubmitEvent) => this.submit(e)} novalidate>
        ${
          editing
            ? nothing
            : html`<label
                  >${t('webhooks.fieldKind')}
                  <select
                    name="kind"
                    @change=${(e: Event) => (this._kind = (e.target as HTMLSelectElement).value as WebhookKind)}
                  >
                    <option value="webhook" ?selected=${kind === 'webhook'}>${t('webhooks.kind.webhook')}</option>
                    <option value="zammad" ?selected=${kind === 'zammad'}>${t('webhooks.kind.zammad')}</option>
                  </select></label
                >
                <label>${t('webhooks.fieldName')}<input name="name" required autocomplete="off" /></label>`
        }
        <label
          >${t(kind === 'zammad' ? 'webhooks.fieldZammadUrl' : 'webhooks.fieldUrl')}<input
            name="url"
            type="url"
            required
            autocomplete="off"
            .value=${editing?.url ?? ''}
        /></label>
        ${
          kind === 'webhook'
            ? html`<fieldset>
                <legend>${t('webhooks.fieldEvents')}</legend>
                ${WEBHOOK_EVENT_TYPES.map(
                  (ev) =>
                    html`<label class="check"
                      ><input
                        type="checkbox"
                        name="events"
                        value=${ev}
                        ?checked=${events.has(ev)}
                        .checked=${events.has(ev)}
                      />${t(`webhooks.event.${ev}`)}</label
                    >`,
                )}
              </fieldset>`
            : html`${
                  editing
                    ? nothing
                    : html`<label
                        >${t('webhooks.fieldToken')}<input name="token" type="password" autocomplete="off" required
                      /></label>`
                }
                <label
                  >${t('webhooks.fieldGroup')}<input name="group" required .value=${editing?.zammad?.group ?? 'Users'}
                /></label>
                <label
                  >${t('webhooks.fieldCustomer')}<input
                    name="customer"
                    type="email"
                    required
                    .value=${editing?.zammad?.customer ?? ''}
                /></label>
                <p class="muted">${t('webhooks.zammadEvents')}</p>`
        }
        <label class="check"
          ><input
            type="checkbox"
            name="enabled"
            ?checked=${editing?.enabled ?? true}
            .checked=${editing?.enabled ?? true}
          />${t('webhooks.fieldEnabled')}</label
        >
        ${this._formError ? html`<div class="field-error" role="alert" data-problems>${this._formError}</div>` : nothing}
        <div class="row">
          <button class="primary" type="submit" ?disabled=${this._busy}>
            ${editing ? t('webhooks.save') : t('webhooks.create')}
          </button>
          ${
            editing
              ? html`<button type="button" class="cancel-edit" @click=${() => (this._editing = undefined)}>
                  ${t('webhooks.cancel')}
                </button>`
              : nothing
          }
        </div>
      </form>
    </section>`;
  }

  override render() {
    const t = this.i18n.t;
    const pending = this._pending;
    return html`<h1>${t('webhooks.title')}</h1>
      <p class="intro muted">${t('webhooks.intro')} <span class="mono">${t('webhooks.guide')}</span></p>
      ${this._error ? html`<div class="error-box" role="alert">${this._error}</div>` : nothing}
      ${this._notice ? html`<div class="muted" role="status" data-notice>${this._notice}</div>` : nothing}
      ${this._fresh ? this.secret(this._fresh) : nothing}
      <section class="card">
        <h2>${t('webhooks.endpoints')}</h2>
        ${listTable({
          items: this._endpoints,
          loading: t('webhooks.loading'),
          empty: t('webhooks.empty'),
          columns: [
            t('webhooks.colName'),
            t('webhooks.colTarget'),
            t('webhooks.colEvents'),
            t('webhooks.colQueue'),
            t('webhooks.colStatus'),
            { hidden: t('webhooks.colActions') },
          ],
          row: (e) => this.row(e),
        })}
      </section>
      ${this.form()}
      <tpc-webhook-deliveries @tpc-deliveries-loaded=${this.loadEndpoints}></tpc-webhook-deliveries>
      <tpc-confirm-dialog
        id="confirm-webhook"
        heading=${
          pending
            ? t(pending.verb === 'rotate' ? 'webhooks.rotateHeading' : 'webhooks.deleteHeading', {
                name: pending.endpoint.name,
              })
            : ''
        }
        confirmLabel=${pending ? t(pending.verb === 'rotate' ? 'webhooks.rotate' : 'webhooks.delete') : ''}
        cancelLabel=${t('webhooks.cancel')}
      >
        ${pending ? html`<p>${t(pending.verb === 'rotate' ? 'webhooks.rotateBody' : 'webhooks.deleteBody')}</p>` : nothing}
      </tpc-confirm-dialog>`;
  }
}
customElements.define('tpc-webhooks-panel', TpWebhooksPanel);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-webhooks-panel': TpWebhooksPanel;
  }
}
