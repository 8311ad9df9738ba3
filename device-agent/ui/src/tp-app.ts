import { LitElement, css, html, nothing } from 'lit';
import type { SupportReceipt } from '@touchpoint/protocol';
import { bySeverity, type Severity } from './common/by-severity.js';
import { caseActive } from './common/case-active.js';
import { localizeText } from './common/localize-text.js';
import type { UiLocale } from './common/initial-locale.js';
import type { Intent, IntentEvent } from './components/intent.js';
import { AgentConnectionController } from './controllers/agent-connection-controller.js';
import { BundleConsentController } from './controllers/bundle-consent-controller.js';
import { ChatController } from './controllers/chat-controller.js';
import { HelpSessionController } from './controllers/help-session-controller.js';
import { IdleController, type IdleView } from './controllers/idle-controller.js';
import { LiveStateController } from './controllers/live-state-controller.js';
import { LocaleController } from './controllers/locale-controller.js';
import { PhoneAccessController } from './controllers/phone-access-controller.js';
import { SupportActivityController } from './controllers/support-activity-controller.js';
import { AgentClient } from './data/agent-client.js';
import { kioskProtocols, takeKioskKey } from './data/kiosk-key.js';
import { fetchSupportHistory } from './data/support-history.js';
import './screens/tp-bundle-sheet.js';
import './screens/tp-case-status.js';
import './screens/tp-chat.js';
import './screens/tp-consent-sheet.js';
import './screens/tp-flow-player.js';
import './screens/tp-home.js';
import './screens/tp-phone-access.js';
import './screens/tp-support-activity.js';
import './screens/tp-support-history.js';
import { shared } from './styles/shared.js';

/**
 * The touchscreen app: one agent connection, the live state, the help
 * session, the language. It routes between home, the flow player and the case
 * screen, and acts on the intents the screens raise.
 *
 * Overlays (the video call's consent sheet and call view) mount as children:
 * `<tp-video slot="overlay">` is shown above every screen; they reach the agent
 * through `app.client` and follow the language via `app.locale` and the
 * `tp-locale-change` event.
 */
export class TpApp extends LitElement {
  static override properties = {
    showCase: { state: true },
    consentOpen: { state: true },
    history: { state: true },
    showChat: { state: true },
  };
  /** The live chat is on screen (issue 17). */
  declare showChat: boolean;
  /** When the customer last had the chat open, for the count of new staff messages on its button. */
  private chatSeen = 0;
  declare showCase: boolean;
  declare consentOpen: boolean;
  /** The support history screen: undefined while it is closed, null while it loads. */
  declare history: SupportReceipt[] | null | undefined;

  /** The per-boot kiosk secret from the kiosk URL; without it the agent refuses the connection. */
  private readonly kioskKey = takeKioskKey();
  readonly client = new AgentClient(this.kioskKey ? { protocols: kioskProtocols(this.kioskKey) } : {});
  private readonly connection = new AgentConnectionController(this, this.client);
  private readonly live = new LiveStateController(this, this.client);
  private readonly i18n = new LocaleController(this);
  private readonly help = new HelpSessionController(this, this.client, () => this.i18n.locale);
  private readonly support = new SupportActivityController(this, this.client);
  private readonly bundle = new BundleConsentController(this, this.client);
  private readonly phone = new PhoneAccessController(this, this.client);
  private readonly chat = new ChatController(this, this.client);
  private readonly idle = new IdleController(this, this.client, {
    view: () => this.idleView(),
    reset: () => void this.clearForNextCustomer(),
  });

  static override styles = [
    shared,
    css`
      :host {
        display: grid;
        grid-template-rows: auto auto auto minmax(0, 1fr);
        grid-template-columns: minmax(0, 1fr);
        height: 100vh;
        height: 100dvh;
        background: var(--tp-bg);
        color: var(--tp-text);
      }
      .appbar {
        display: flex;
        /* With a case open (Chat, phone access) the bar is wider than a portrait screen: it wraps, never scrolls. */
        flex-wrap: wrap;
        align-items: center;
        gap: 0.25em 0.5em;
        padding: 0.2em 0.75em;
        min-height: 52px;
        background: var(--tp-appbar);
        color: var(--tp-on-primary);
      }
      .appbar .name {
        flex: 1;
        font-weight: 700;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .chip {
        display: inline-flex;
        align-items: center;
        gap: 0.35em;
        font-size: 0.85em;
        white-space: nowrap;
      }
      .chip::before {
        content: '';
        width: 0.7em;
        height: 0.7em;
        border-radius: 50%;
        background: var(--tp-ok-light);
      }
      .chip.bad::before {
        background: var(--tp-danger-light);
      }
      .appbar button {
        color: var(--tp-on-primary);
        border-color: var(--tp-on-primary);
        background: transparent;
        padding: 0.3em 0.8em;
      }
      .banner {
        padding: 0.5em 1em;
        background: var(--tp-warn-bg);
        border-bottom: 2px solid var(--tp-warn-border);
        font-weight: 600;
      }
      .banner.critical {
        background: var(--tp-danger-bg);
        border-bottom-color: var(--tp-danger);
      }
      .screen {
        min-height: 0;
        display: grid;
        grid-template-columns: minmax(0, 1fr);
      }
      .screen > * {
        min-height: 0;
      }
      @media (max-width: 560px) {
        .chip .label {
          position: absolute;
          width: 1px;
          height: 1px;
          overflow: hidden;
          clip: rect(0 0 0 0);
        }
      }
    `,
  ];

  constructor() {
    super();
    this.showCase = false;
    this.consentOpen = false;
    this.showChat = false;
    this.addEventListener('tp-intent', (event: IntentEvent) => {
      event.stopPropagation();
      void this.act(event.intent);
    });
  }

  private interactiveMarked = false;

  // Marks for the bench (bench/src/suites/touch-ui.ts) and for anyone profiling on a device.
  protected override firstUpdated(): void {
    performance.mark('tp:first-render');
  }

  protected override updated(): void {
    if (!this.interactiveMarked && this.help.flows.length > 0 && !this.help.pending) {
      this.interactiveMarked = true;
      performance.mark('tp:interactive');
    }
  }

  get locale(): UiLocale {
    return this.i18n.locale;
  }

  protected override render() {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    const live = this.live.state;
    const help = this.help;
    const connected = this.connection.status === 'open';
    const name = help.device ? localizeText(help.device.name, locale) : t('appTitle');
    const noun = help.device?.noun ? localizeText(help.device.noun, locale) : t('deviceNoun');
    const errorText = help.error ? t('errorGeneric', { message: help.error.message }) : '';
    return html`
      <header class="appbar">
        <span class="name">${name}</span>
        <span role="status" class="chips">
          ${
            !connected
              ? // Without the agent the screen knows neither the fleet's nor the machine's state: never "Online" here.
                html`<span class="chip bad" id="agent-chip"><span class="label">${t('notConnected')}</span></span>`
              : live
                ? html`<span class="chip ${live.broker === 'online' ? '' : 'bad'}" id="broker-chip"
                      ><span class="label">${t(live.broker === 'online' ? 'online' : 'offline')}</span></span
                    >
                    <span class="chip ${live.link === 'up' ? '' : 'bad'}" id="link-chip"
                      ><span class="label">${t(live.link === 'up' ? 'linkUp' : 'linkDown', { noun })}</span></span
                    >`
                : nothing
          }
        </span>
        <tp-phone-access
          .t=${t}
          locale=${locale}
          .phone=${this.phone.state}
          ?pending=${this.phone.pending}
        ></tp-phone-access>
        ${
          this.chat.caseId
            ? html`<button id="chat-open" @click=${() => this.act({ kind: 'chat-open' })}>
                ${t('chatOpen', { count: this.showChat ? 0 : this.chat.unread(this.chatSeen) })}
              </button>`
            : nothing
        }
        <button id="history-open" @click=${() => this.act({ kind: 'history' })}>${t('historyButton')}</button>
        <button
          id="lang"
          lang=${locale === 'de' ? 'en' : 'de'}
          aria-label=${t('switchLanguageLabel')}
          @click=${() => this.act({ kind: 'locale', locale: locale === 'de' ? 'en' : 'de' })}
        >
          ${t('switchLanguage')}
        </button>
      </header>
      <div class="banners">
        ${this.banners(connected, errorText, noun).map(
          (b) => html`<div class="banner ${b.severity}" role=${b.role} data-severity=${b.severity}>${b.text}</div>`,
        )}
      </div>
      <tp-support-activity .t=${t} locale=${locale} .activity=${this.support.state}></tp-support-activity>
      <div class="screen">${this.screen(errorText)}</div>
      <tp-consent-sheet
        .t=${t}
        ?open=${this.consentOpen}
        ?hasSession=${help.screen !== null}
        ?pending=${help.pending}
      ></tp-consent-sheet>
      <tp-bundle-sheet
        .t=${t}
        locale=${locale}
        .ask=${this.bundle.ask}
        ?pending=${this.bundle.pending}
      ></tp-bundle-sheet>
      <slot name="overlay"></slot>
    `;
  }

  private screen(errorText: string) {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    const help = this.help;
    // The live chat, while its case is open (issue 17).
    if (this.showChat && this.chat.state?.caseId)
      return html`<tp-chat
        .t=${t}
        locale=${locale}
        .chat=${this.chat.state}
        ?pending=${this.chat.pending}
        ?offline=${this.live.state?.broker === 'offline'}
        .error=${this.chat.error}
      ></tp-chat>`;
    if (this.history !== undefined)
      return html`<tp-support-history
        .t=${t}
        locale=${locale}
        .receipts=${this.history ?? undefined}
      ></tp-support-history>`;
    // An escalated flow whose case is open shows the case, also after a kiosk reload (issue 16).
    const escalated = help.screen?.kind === 'outcome' && help.screen.result === 'escalate';
    if (help.supportCase && (this.showCase || (escalated && caseActive(help.supportCase))))
      return html`<tp-case-status .t=${t} .supportCase=${help.supportCase}></tp-case-status>`;
    if (help.screen) {
      return html`<tp-flow-player
        .t=${t}
        locale=${locale}
        .screen=${help.screen}
        ?pending=${help.pending}
        ?caseOpen=${caseActive(help.supportCase)}
        errorText=${errorText}
      ></tp-flow-player>`;
    }
    return html`<tp-home
      .t=${t}
      locale=${locale}
      .live=${this.live.state}
      .device=${help.device}
      .flows=${help.flows}
      .offers=${help.offers}
      .supportCase=${help.supportCase}
      ?pending=${help.pending}
    ></tp-home>`;
  }

  /** The banners under the header, the most severe first (issue 16). */
  private banners(
    connected: boolean,
    errorText: string,
    noun: string,
  ): { severity: Severity; role: string; text: string }[] {
    const t = this.i18n.t;
    const banners: { severity: Severity; role: string; text: string }[] = [];
    if (!connected)
      banners.push({
        severity: 'critical',
        role: 'status',
        text: this.connection.device ? t('agentLost') : this.kioskKey ? t('connecting') : t('notPaired'),
      });
    const live = connected ? this.live.state : undefined;
    if (live && live.link !== 'up')
      banners.push({ severity: 'critical', role: 'status', text: t('linkDownBanner', { noun }) });
    if (errorText && !this.help.screen) banners.push({ severity: 'warning', role: 'alert', text: errorText });
    if (live && live.broker !== 'online') banners.push({ severity: 'info', role: 'status', text: t('offlineBanner') });
    return bySeverity(banners, (b) => b.severity);
  }

  /** What the inactivity timeout may clear (see IdleController). */
  private idleView(): IdleView {
    const help = this.help;
    const s = help.screen;
    const action = this.support.state.action;
    const working =
      help.pending ||
      (s !== null &&
        (s.busy || s.kind === 'idle' || s.kind === 'check' || (s.kind === 'action' && s.phase !== 'confirm')));
    // A call rings or runs (the overlay), or support waits for the customer's Allow / Decline.
    if (
      working ||
      this.support.state.ask ||
      this.bundle.ask ||
      // The customer continues on their phone (issue 17): the flow is theirs there, away from this screen.
      this.phone.state !== null ||
      action?.status === 'running' ||
      this.querySelector('tp-video[active]')
    )
      return 'hold';
    const resolvedCase = help.supportCase !== null && !caseActive(help.supportCase);
    const away =
      s !== null ||
      this.history !== undefined ||
      this.showCase ||
      this.showChat ||
      this.consentOpen ||
      action !== undefined ||
      resolvedCase;
    return away ? 'away' : 'home';
  }

  /**
   * The inactivity timeout: home, and nothing of the last customer stays on the screen (issue 16). Their
   * flow ends (abandoned), a finished case and a staff fix's result go; an open case stays, it is the device's.
   */
  private async clearForNextCustomer(): Promise<void> {
    const help = this.help;
    this.consentOpen = false;
    this.history = undefined;
    this.showCase = false;
    this.showChat = false;
    this.chat.visible = false;
    this.support.dismiss();
    if (help.screen) await help.close();
    if (help.supportCase && !caseActive(help.supportCase)) await help.dismissCase();
  }

  private async act(intent: Intent): Promise<void> {
    const help = this.help;
    switch (intent.kind) {
      case 'start':
        this.showCase = false;
        return help.start(intent.flowId, intent.trigger, intent.errorCode);
      case 'next':
        return help.next();
      case 'choose':
        return help.choose(intent.choiceId);
      case 'confirm':
        return help.confirm();
      case 'cancel-action':
        return help.cancel();
      case 'back':
        return help.back();
      case 'rate':
        return help.rate(intent.ces, intent.helped);
      case 'close':
        return help.close();
      case 'support':
        this.consentOpen = true;
        return;
      case 'consent-cancel':
        this.consentOpen = false;
        return;
      case 'share':
        await help.openCase();
        this.consentOpen = false;
        if (!help.error) this.showCase = true;
        return;
      case 'show-case':
        this.showCase = true;
        return;
      case 'history':
        this.history = null;
        try {
          this.history = await fetchSupportHistory(this.client);
        } catch (err) {
          // Not connected to the agent: the header already says so; the screen stays as it was.
          console.warn('support history unavailable', err);
          this.history = undefined;
        }
        return;
      case 'home':
        this.history = undefined;
        this.showCase = false;
        if (help.screen) await help.close();
        return;
      case 'dismiss-case':
        this.showCase = false;
        return help.dismissCase();
      case 'dismiss-support':
        this.support.dismiss();
        return;
      case 'support-answer':
        return this.support.answer(intent.commandId, intent.allow);
      case 'support-remote':
        return this.support.allowRemote(intent.minutes);
      case 'bundle-answer':
        return this.bundle.answer(intent.send);
      case 'phone-open':
        return this.phone.open();
      case 'phone-end':
        return this.phone.end();
      case 'chat-open':
        this.showChat = true;
        this.history = undefined;
        this.chatSeen = Date.now();
        this.chat.visible = true;
        this.chat.read();
        return;
      case 'chat-close':
        this.showChat = false;
        this.chat.visible = false;
        this.chatSeen = Date.now();
        return;
      case 'chat-send':
        await this.chat.send(intent.text);
        return;
      case 'chat-typing':
        return this.chat.typed();
      case 'chat-image':
        await this.chat.image(intent.mime, intent.data);
        return;
      case 'chat-answer':
        // A flow step staff sent: the customer's "Start" opens that flow here, as from the menu.
        if ((await this.chat.answer(intent.replyTo, intent.choice)) && intent.flowId) {
          this.showChat = false;
          this.chat.visible = false;
          return help.start(intent.flowId, 'menu');
        }
        return;
      case 'locale':
        this.i18n.set(intent.locale);
        help.setLocale(intent.locale);
        this.dispatchEvent(
          new CustomEvent('tp-locale-change', { detail: { locale: intent.locale }, bubbles: true, composed: true }),
        );
        return;
    }
  }
}

customElements.define('tp-app', TpApp);
declare global {
  interface HTMLElementTagNameMap {
    'tp-app': TpApp;
  }
}
