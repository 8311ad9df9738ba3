import { LitElement, css, html, nothing } from 'lit';
import type { ApiStaffRole, StaffListResponse, StaffView } from '@touchpoint/protocol';
import '../components/tpc-badge.js';
import { sharedStyles } from '../components/shared-styles.js';
import { createStaff, listStaff, updateStaff } from '../data/staff.js';
import { provisionDevice, listProfiles } from '../data/devices.js';
import { LocaleController } from '../i18n/locale-controller.js';
import type { MessageKey } from '../i18n/translator.js';

type Member = StaffListResponse['items'][number];

/** Admin only: staff accounts and roles, one-time passwords, and provisioning devices. */
export class TpStaffPanel extends LitElement {
  static override properties = {
    me: { attribute: false },
    _staff: { state: true },
    _secret: { state: true },
    _error: { state: true },
    _models: { state: true },
  };
  declare me: StaffView;
  declare _staff: Member[];
  /** The title is kept as a key so it follows a language switch while shown. */
  declare _secret: { title: MessageKey; name: string; value: string } | undefined;
  declare _error: string | undefined;
  declare _models: string[];
  private readonly i18n = new LocaleController(this);

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 16px;
      }
      .grid2 {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(320px, 1fr));
        gap: 16px;
        align-items: start;
      }
      form {
        display: grid;
        gap: 10px;
      }
      .secret {
        background: var(--tp-ok-bg);
        border-radius: 8px;
        padding: 12px;
      }
      .secret code {
        font-size: 1.05rem;
        user-select: all;
      }
    `,
  ];

  constructor() {
    super();
    this._staff = [];
    this._models = [];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    listProfiles().then(
      (p) => (this._models = p.map((x) => x.model)),
      () => undefined,
    );
  }

  private async load() {
    try {
      this._staff = await listStaff();
    } catch (err) {
      this._error = (err as Error).message;
    }
  }

  private async run(work: () => Promise<void>) {
    try {
      this._error = undefined;
      await work();
      await this.load();
    } catch (err) {
      this._error = (err as Error).message;
    }
  }

  /** A listener: Lit calls it with the element as `this`. */
  private dismissSecret() {
    this._secret = undefined;
  }

  private resetPassword(member: { id: string; name: string }) {
    void this.run(async () => {
      const r = await updateStaff(member.id, { resetPassword: true });
      this._secret = { title: 'staff.newPasswordFor', name: member.name, value: r.password ?? '' };
    });
  }

  private create(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    void this.run(async () => {
      const r = await createStaff({
        name: String(f.get('name')).trim(),
        displayName: String(f.get('displayName')).trim(),
        role: String(f.get('role')) as ApiStaffRole,
      });
      this._secret = { title: 'staff.passwordFor', name: r.staff.name, value: r.password ?? '' };
      form.reset();
    });
  }

  private provision(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const tags = String(f.get('tags') ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    void this.run(async () => {
      const r = await provisionDevice({
        deviceId: String(f.get('deviceId')).trim(),
        model: String(f.get('model')),
        tags,
      });
      this._secret = { title: 'staff.deviceTokenFor', name: r.deviceId, value: r.token };
      form.reset();
    });
  }

  override render() {
    const t = this.i18n.t;
    return html` <h1>${t('staff.title')}</h1>
      ${this._error ? html`<div class="error-box" role="alert">${this._error}</div>` : nothing}
      ${
        this._secret
          ? html`<div class="secret" role="status">
              <strong>${t(this._secret.title, { name: this._secret.name })}</strong> — ${t('staff.shownOnce')}<br /><code
                class="mono"
                >${this._secret.value}</code
              >
              <button @click=${this.dismissSecret}>${t('staff.done')}</button>
            </div>`
          : nothing
      }
      <section class="card">
        <h2>${t('staff.staff')}</h2>
        <table>
          <thead>
            <tr>
              <th>${t('staff.colName')}</th>
              <th>${t('staff.colDisplayName')}</th>
              <th>${t('staff.colRole')}</th>
              <th>${t('staff.colStatus')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            ${this._staff.map(
              (m) =>
                html`<tr>
                  <td class="mono">${m.name}</td>
                  <td>
                    ${m.displayName}${m.id === this.me.id ? html` <span class="muted">${t('staff.you')}</span>` : nothing}
                  </td>
                  <td>
                    <select
                      aria-label=${t('staff.roleOf', { name: m.name })}
                      @change=${(e: Event) =>
                        void this.run(async () => {
                          await updateStaff(m.id, { role: (e.target as HTMLSelectElement).value as ApiStaffRole });
                        })}
                    >
                      ${(['viewer', 'agent', 'admin'] as const).map((r) => html`<option value=${r} ?selected=${m.role === r}>${t(`role.${r}`)}</option>`)}
                    </select>
                  </td>
                  <td>
                    <tpc-badge
                      tone=${m.disabled ? 'muted' : 'ok'}
                      label=${m.disabled ? t('staff.disabled') : t('staff.active')}
                    ></tpc-badge>
                  </td>
                  <td class="row">
                    <button
                      @click=${() =>
                        void this.run(async () => {
                          await updateStaff(m.id, { disabled: !m.disabled });
                        })}
                    >
                      ${m.disabled ? t('staff.enable') : t('staff.disable')}
                    </button>
                    <button @click=${() => this.resetPassword(m)}>${t('staff.newPassword')}</button>
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
      </section>
      <div class="grid2">
        <section class="card">
          <h2>${t('staff.add')}</h2>
          <form @submit=${this.create}>
            <label
              >${t('staff.loginName')}<input
                name="name"
                required
                pattern="[a-z][a-z0-9._\\-]{1,31}"
                placeholder=${t('staff.loginPlaceholder')}
            /></label>
            <label>${t('staff.displayName')}<input name="displayName" required maxlength="64" /></label>
            <label
              >${t('staff.role')}<select name="role">
                <option value="viewer">${t('staff.roleViewer')}</option>
                <option value="agent" selected>${t('staff.roleAgent')}</option>
                <option value="admin">${t('staff.roleAdmin')}</option>
              </select></label
            >
            <div><button class="primary" type="submit">${t('staff.create')}</button></div>
          </form>
        </section>
        <section class="card">
          <h2>${t('staff.provisionTitle')}</h2>
          <form @submit=${this.provision}>
            <label
              >${t('staff.deviceId')}<input
                name="deviceId"
                required
                pattern="[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}"
                placeholder=${t('staff.deviceIdPlaceholder')}
            /></label>
            <label
              >${t('staff.model')}<select name="model" required>
                ${this._models.map((m) => html`<option value=${m}>${m}</option>`)}
              </select></label
            >
            <label>${t('staff.tags')}<input name="tags" placeholder=${t('staff.tagsPlaceholder')} /></label>
            <div><button class="primary" type="submit">${t('staff.provision')}</button></div>
          </form>
        </section>
      </div>`;
  }
}
customElements.define('tpc-staff-panel', TpStaffPanel);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-staff-panel': TpStaffPanel;
  }
}
