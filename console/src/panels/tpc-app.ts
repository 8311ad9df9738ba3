import { LitElement, css, html, nothing } from 'lit';
import type { LiveEvent, SessionView } from '@touchpoint/protocol';
import { parseRoute, routeHref, type Route } from '../common/route.js';
import '../components/tpc-connection-state.js';
import '../components/tpc-toasts.js';
import type { TpToasts } from '../components/tpc-toasts.js';
import { sharedStyles } from '../components/shared-styles.js';
import { LiveController } from '../controllers/live-controller.js';
import { LiveFeed } from '../controllers/live-feed.js';
import { onUnauthorized } from '../data/api.js';
import { fetchMe, logout } from '../data/auth.js';
import { fetchQueue } from '../data/cases.js';
import { setLocale } from '../i18n/current-locale.js';
import { LOCALE_NAMES, SUPPORTED_LOCALES, isConsoleLocale } from '../i18n/locale.js';
import { LocaleController } from '../i18n/locale-controller.js';
import './tpc-audit-panel.js';
import './tpc-cases-panel.js';
import './tpc-device-panel.js';
import './tpc-fleet-panel.js';
import './tpc-integrations-panel.js';
import './tpc-webhooks-panel.js';
import './tpc-kpi-panel.js';
import './tpc-rollouts-panel.js';
import './tpc-login-panel.js';
import './tpc-password-panel.js';
import './tpc-queue-panel.js';
import './tpc-staff-panel.js';
import './tpc-studio-panel.js';

/**
 * The console shell: session, hash routing, navigation, the fleet-wide live
 * stream (shared with every view through a LiveFeed) and notifications.
 */
export class TpApp extends LitElement {
  static override properties = {
    _session: { state: true },
    _route: { state: true },
    _openCases: { state: true },
    _passwordOpen: { state: true },
  };
  declare _session: SessionView | null | undefined;
  declare _route: Route;
  declare _openCases: number;
  /** The member's own password form is open (self-service change). */
  declare _passwordOpen: boolean;

  readonly feed = new LiveFeed();
  private readonly i18n = new LocaleController(this);
  private readonly live = new LiveController(this, {
    device: () => null,
    // A member who must still choose a password has no live stream (the broker refuses it).
    enabled: () => Boolean(this._session && !this._session.mustChangePassword),
    onEvent: (e) => this.onLive(e),
    onResync: () => {
      void this.refreshCount();
      this.feed.emit({ type: 'resync-all' });
    },
    onRefused: () => this.sessionEnded(),
  });
  private readonly onHash = () => {
    this._route = parseRoute(location.hash);
  };
  private offUnauthorized: (() => void) | undefined;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        min-height: 100vh;
      }
      .shell {
        display: grid;
        grid-template-columns: 216px 1fr;
        min-height: 100vh;
      }
      nav {
        background: #141b26;
        color: #cfd6e0;
        padding: 16px 10px;
        display: flex;
        flex-direction: column;
        gap: 2px;
      }
      .brand {
        font-size: 1.2rem;
        font-weight: 700;
        color: #fff;
        padding: 4px 10px 18px;
      }
      .brand span {
        color: #7fa6ff;
      }
      nav a {
        color: inherit;
        text-decoration: none;
        padding: 8px 10px;
        border-radius: 6px;
        display: flex;
        justify-content: space-between;
        align-items: center;
      }
      nav a:hover {
        background: #222c3b;
      }
      nav a[aria-current='page'] {
        background: #27354b;
        color: #fff;
        font-weight: 600;
      }
      .count {
        background: #d19a00;
        color: #141b26;
        border-radius: 999px;
        padding: 0 7px;
        font-size: 0.78rem;
        font-weight: 700;
      }
      .main {
        display: flex;
        flex-direction: column;
        min-width: 0;
      }
      header {
        display: flex;
        align-items: center;
        gap: 16px;
        padding: 10px 24px;
        background: var(--tp-surface);
        border-bottom: 1px solid var(--tp-border);
      }
      header .who {
        color: var(--tp-text-2);
      }
      .content {
        padding: 20px 24px;
        min-width: 0;
      }
      .loading {
        display: grid;
        place-items: center;
        min-height: 100vh;
        color: var(--tp-text-2);
      }
      .language {
        display: inline-flex;
        align-items: center;
        gap: 6px;
        color: var(--tp-text-2);
      }
      .login-language {
        position: absolute;
        top: 10px;
        right: 24px;
      }
      .signout-first {
        text-align: center;
        margin-top: -48px;
      }
    `,
  ];

  constructor() {
    super();
    this._route = parseRoute(location.hash);
    this._openCases = 0;
    this._passwordOpen = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.updateTitle();
    window.addEventListener('hashchange', this.onHash);
    this.offUnauthorized = onUnauthorized(() => this.sessionEnded());
    fetchMe().then(
      (s) => this.loggedIn(s),
      () => {
        this._session = null;
      },
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
    this.offUnauthorized?.();
  }

  private loggedIn(session: SessionView) {
    this._session = session;
    this._passwordOpen = false;
    if (this._route.view === 'login') location.hash = routeHref({ view: 'queue' });
    if (!session.mustChangePassword) void this.refreshCount();
  }

  // Event listeners: Lit calls them with the element as `this`.
  private openPassword() {
    this._passwordOpen = true;
  }

  private closePassword() {
    this._passwordOpen = false;
  }

  private passwordChanged(session: SessionView) {
    const wasRequired = this._session?.mustChangePassword ?? false;
    this.loggedIn(session);
    this.toasts?.show(this.i18n.t(wasRequired ? 'app.passwordSaved' : 'app.passwordChanged'), 'info');
  }

  private sessionEnded() {
    if (this._session === null) return;
    this._session = null;
    this.toasts?.show(this.i18n.t('app.sessionEnded'), 'warning');
  }

  private async refreshCount() {
    try {
      const q = await fetchQueue(0, 200);
      this._openCases = q.items.filter((c) => c.status === 'open').length;
      this.updateTitle();
    } catch {
      // The count is a convenience; the queue view shows errors.
    }
  }

  private updateTitle() {
    const t = this.i18n.t;
    document.title = this._openCases ? t('app.titleWithCount', { count: this._openCases }) : t('app.title');
  }

  private chooseLocale(e: Event) {
    const value = (e.target as HTMLSelectElement).value;
    if (!isConsoleLocale(value)) return;
    setLocale(value);
    this.updateTitle();
  }

  private get toasts(): TpToasts | null {
    return this.renderRoot.querySelector('tpc-toasts');
  }

  private onLive(e: LiveEvent) {
    this.feed.emit(e);
    if (e.type === 'case') {
      void this.refreshCount();
      if (e.change === 'opened')
        this.toasts?.show(
          this.i18n.t('app.newCase', { device: e.deviceId }),
          'warning',
          routeHref({ view: 'queue', caseId: e.caseId }),
        );
    }
  }

  private async signOut() {
    try {
      await logout();
    } finally {
      this._session = null;
      location.hash = routeHref({ view: 'login' });
    }
  }

  private view() {
    const s = this._session!;
    const r = this._route;
    switch (r.view) {
      case 'login':
      case 'queue':
        return html`<tpc-queue-panel
          .feed=${this.feed}
          .me=${s.staff}
          .caseId=${r.view === 'queue' ? r.caseId : undefined}
        ></tpc-queue-panel>`;
      case 'fleet':
        return html`<tpc-fleet-panel .feed=${this.feed}></tpc-fleet-panel>`;
      case 'device':
        return html`<tpc-device-panel
          .deviceId=${r.deviceId}
          .me=${s.staff}
          .toasts=${this.toasts}
        ></tpc-device-panel>`;
      case 'cases':
        return html`<tpc-cases-panel .feed=${this.feed}></tpc-cases-panel>`;
      case 'audit':
        return html`<tpc-audit-panel></tpc-audit-panel>`;
      case 'kpis':
        return html`<tpc-kpi-panel></tpc-kpi-panel>`;
      case 'rollouts':
        return html`<tpc-rollouts-panel .staffRole=${s.staff.role}></tpc-rollouts-panel>`;
      case 'staff':
        return s.staff.role === 'admin'
          ? html`<tpc-staff-panel .me=${s.staff}></tpc-staff-panel>`
          : html`<p>${this.i18n.t('app.adminsOnlyStaff')}</p>`;
      case 'integrations':
        return s.staff.role === 'admin'
          ? html`<tpc-integrations-panel></tpc-integrations-panel>`
          : html`<p>${this.i18n.t('app.adminsOnlyIntegrations')}</p>`;
      case 'webhooks':
        return s.staff.role === 'admin'
          ? html`<tpc-webhooks-panel></tpc-webhooks-panel>`
          : html`<p>${this.i18n.t('app.adminsOnlyWebhooks')}</p>`;
      case 'studio':
        return html`<tpc-studio-panel
          .me=${s.staff}
          model=${r.model ?? ''}
          versionId=${r.versionId ?? ''}
        ></tpc-studio-panel>`;
    }
  }

  /** The language switch: in the header, and above the login form so staff can choose before signing in. */
  private languageSwitch() {
    const locale = this.i18n.locale;
    return html`<label class="language"
      >${this.i18n.t('app.language')}
      <select data-testid="language" @change=${this.chooseLocale}>
        ${SUPPORTED_LOCALES.map(
          (l) => html`<option value=${l} lang=${l} ?selected=${l === locale}>${LOCALE_NAMES[l]}</option>`,
        )}
      </select></label
    >`;
  }

  override render() {
    const t = this.i18n.t;
    if (this._session === undefined)
      return html`<div class="loading">${t('app.loading')}</div>
        <tpc-toasts></tpc-toasts>`;
    if (this._session === null)
      return html`<div class="login-language">${this.languageSwitch()}</div>
        <tpc-login-panel @tpc-logged-in=${(e: CustomEvent<SessionView>) => this.loggedIn(e.detail)}></tpc-login-panel
        ><tpc-toasts></tpc-toasts>`;
    if (this._session.mustChangePassword) {
      return html`<tpc-password-panel
          required
          @tpc-password-changed=${(e: CustomEvent<SessionView>) => this.passwordChanged(e.detail)}
        ></tpc-password-panel>
        <p class="signout-first">
          <button @click=${() => void this.signOut()}>${t('app.signOut')}</button> ${this.languageSwitch()}
        </p>
        <tpc-toasts></tpc-toasts>`;
    }
    const r = this._route.view === 'login' ? 'queue' : this._route.view;
    const link = (view: Route['view'], label: string, extra: unknown = nothing) =>
      html`<a
        href=${routeHref(view === 'device' ? { view: 'fleet' } : ({ view } as Route))}
        aria-current=${r === view || (view === 'fleet' && r === 'device') ? 'page' : 'false'}
        >${label}${extra}</a
      >`;
    const s = this._session;
    return html`<div class="shell">
        <nav aria-label=${t('app.mainNav')}>
          <div class="brand">Touch<span>point</span></div>
          ${link('queue', t('nav.queue'), this._openCases ? html`<span class="count" aria-label=${t('app.openCount', { count: this._openCases })}>${this._openCases}</span>` : nothing)}
          ${link('fleet', t('nav.fleet'))} ${link('cases', t('nav.cases'))} ${link('kpis', t('nav.kpis'))}
          ${link('rollouts', t('nav.rollouts'))} ${link('audit', t('nav.audit'))} ${link('studio', t('nav.studio'))}
          ${s.staff.role === 'admin' ? link('staff', t('nav.staff')) : nothing}
          ${s.staff.role === 'admin' ? link('integrations', t('nav.integrations')) : nothing}
          ${s.staff.role === 'admin' ? link('webhooks', t('nav.webhooks')) : nothing}
        </nav>
        <div class="main">
          <header>
            <tpc-connection-state .state=${this.live.state} title=${t('app.liveUpdates')}></tpc-connection-state>
            <span class="spacer"></span>
            <span class="who">${s.staff.displayName} · ${t(`role.${s.staff.role}`)}</span>
            ${this.languageSwitch()}
            <button @click=${this.openPassword}>${t('app.password')}</button>
            <button @click=${() => void this.signOut()}>${t('app.signOut')}</button>
          </header>
          <main class="content">
            ${
              this._passwordOpen
                ? html`<tpc-password-panel
                    @tpc-password-changed=${(e: CustomEvent<SessionView>) => this.passwordChanged(e.detail)}
                    @tpc-password-cancel=${this.closePassword}
                  ></tpc-password-panel>`
                : this.view()
            }
          </main>
        </div>
      </div>
      <tpc-toasts></tpc-toasts>`;
  }
}
customElements.define('tpc-app', TpApp);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-app': TpApp;
  }
}
