import { LitElement, css, html, nothing } from 'lit';
import type { ApiStaffRole, StaffListResponse, StaffView } from '@touchpoint/protocol';
import '../components/tpc-badge.js';
import { sharedStyles } from '../components/shared-styles.js';
import { createStaff, listStaff, updateStaff } from '../data/staff.js';
import { provisionDevice, listProfiles } from '../data/devices.js';

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
  declare _secret: { title: string; value: string } | undefined;
  declare _error: string | undefined;
  declare _models: string[];

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
      this._secret = { title: `New one-time password for ${member.name}`, value: r.password ?? '' };
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
      this._secret = { title: `One-time password for ${r.staff.name}`, value: r.password ?? '' };
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
      this._secret = { title: `Device token for ${r.deviceId} (put it in the agent's config)`, value: r.token };
      form.reset();
    });
  }

  override render() {
    return html` <h1>Staff and devices</h1>
      ${this._error ? html`<div class="error-box" role="alert">${this._error}</div>` : nothing}
      ${
        this._secret
          ? html`<div class="secret" role="status">
              <strong>${this._secret.title}</strong> — shown once, copy it now:<br /><code class="mono"
                >${this._secret.value}</code
              >
              <button @click=${this.dismissSecret}>Done</button>
            </div>`
          : nothing
      }
      <section class="card">
        <h2>Staff</h2>
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Display name</th>
              <th>Role</th>
              <th>Status</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            ${this._staff.map(
              (m) =>
                html`<tr>
                  <td class="mono">${m.name}</td>
                  <td>${m.displayName}${m.id === this.me.id ? html` <span class="muted">(you)</span>` : nothing}</td>
                  <td>
                    <select
                      aria-label="Role of ${m.name}"
                      @change=${(e: Event) =>
                        void this.run(async () => {
                          await updateStaff(m.id, { role: (e.target as HTMLSelectElement).value as ApiStaffRole });
                        })}
                    >
                      ${(['viewer', 'agent', 'admin'] as const).map((r) => html`<option value=${r} ?selected=${m.role === r}>${r}</option>`)}
                    </select>
                  </td>
                  <td>
                    <tpc-badge
                      tone=${m.disabled ? 'muted' : 'ok'}
                      label=${m.disabled ? 'disabled' : 'active'}
                    ></tpc-badge>
                  </td>
                  <td class="row">
                    <button
                      @click=${() =>
                        void this.run(async () => {
                          await updateStaff(m.id, { disabled: !m.disabled });
                        })}
                    >
                      ${m.disabled ? 'Enable' : 'Disable'}
                    </button>
                    <button @click=${() => this.resetPassword(m)}>New password</button>
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
      </section>
      <div class="grid2">
        <section class="card">
          <h2>Add a staff member</h2>
          <form @submit=${this.create}>
            <label
              >Login name<input name="name" required pattern="[a-z][a-z0-9._\\-]{1,31}" placeholder="e.g. jdoe"
            /></label>
            <label>Display name (shown to customers)<input name="displayName" required maxlength="64" /></label>
            <label
              >Role<select name="role">
                <option value="viewer">viewer — reads</option>
                <option value="agent" selected>agent — also fixes and calls</option>
                <option value="admin">admin — also provisions and manages staff</option>
              </select></label
            >
            <div><button class="primary" type="submit">Create account</button></div>
          </form>
        </section>
        <section class="card">
          <h2>Provision a device</h2>
          <form @submit=${this.provision}>
            <label
              >Device id<input
                name="deviceId"
                required
                pattern="[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}"
                placeholder="e.g. cm-0042"
            /></label>
            <label
              >Model<select name="model" required>
                ${this._models.map((m) => html`<option value=${m}>${m}</option>`)}
              </select></label
            >
            <label>Tags (comma-separated)<input name="tags" placeholder="berlin, pilot" /></label>
            <div><button class="primary" type="submit">Provision</button></div>
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
