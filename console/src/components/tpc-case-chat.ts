import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { CannedReply, ChatEntryView, ChatStaffBody, LiveEvent } from '@touchpoint/protocol';
import { formatTime } from '../common/format-time.js';
import { LiveController } from '../controllers/live-controller.js';
import { fetchCanned, fetchChat, markChatRead, sendChat, sendChatTyping } from '../data/chat.js';
import { LocaleController } from '../i18n/locale-controller.js';
import { sharedStyles } from './shared-styles.js';

/** How long "typing" shows after the customer's last signal, if their "stopped" is lost. */
const TYPING_SHOWN_MS = 8_000;
/** Staff typing is told to the device at most this often while they type. */
const TYPING_EVERY_MS = 3_000;

/** A fix the staff member may propose: the device profile's remote actions, by name and label. */
export interface ChatFixOption {
  name: string;
  label: string;
}

/**
 * The live chat of a case (issue 17), next to the mirror and the diagnostics: the conversation with read
 * state and the customer's taps, their typing, canned replies in the customer's language, and buttons that
 * send the text as quick replies, a help-flow step, a fix proposal or a video request. Agents and admins
 * write; viewers read. Follows the device's live stream; every change refetches the conversation.
 */
export class TpCaseChat extends LitElement {
  static override properties = {
    caseId: {},
    deviceId: {},
    customerLocale: {},
    flowId: {},
    fixes: { attribute: false },
    canWrite: { type: Boolean },
    active: { type: Boolean },
    _items: { state: true },
    _typingUntil: { state: true },
    _canned: { state: true },
    _draft: { state: true },
    _choices: { state: true },
    _fix: { state: true },
    _error: { state: true },
    _busy: { state: true },
  };
  declare caseId: string;
  declare deviceId: string;
  declare customerLocale: string | null;
  declare flowId: string | null;
  declare fixes: ChatFixOption[];
  declare canWrite: boolean;
  /** The case is open or claimed: a resolved case's chat is read-only. */
  declare active: boolean;
  declare _items: ChatEntryView[];
  declare _typingUntil: number;
  declare _canned: CannedReply[];
  declare _draft: string;
  /** Quick replies to offer, comma-separated as staff type them. */
  declare _choices: string;
  declare _fix: string;
  declare _error: string | undefined;
  declare _busy: boolean;

  private readonly i18n = new LocaleController(this);
  private generation = 0;
  private typingSentAt = 0;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  protected readonly live = new LiveController(this, {
    device: () => this.deviceId || null,
    enabled: () => this.caseId !== '',
    onEvent: (e) => this.onLive(e),
    onResync: () => void this.load(),
  });

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 8px;
      }
      .log {
        display: flex;
        flex-direction: column;
        gap: 6px;
        max-height: 360px;
        overflow: auto;
        padding: 8px;
        border: 1px solid var(--tp-border);
        border-radius: var(--tp-radius);
        background: var(--tp-bg);
      }
      .msg {
        max-width: 80%;
        padding: 6px 10px;
        border-radius: 10px;
        background: var(--tp-surface);
        border: 1px solid var(--tp-border);
        overflow-wrap: anywhere;
      }
      .msg.staff {
        align-self: flex-end;
      }
      .meta {
        font-size: 0.8em;
        color: var(--tp-muted);
      }
      .choices {
        display: flex;
        flex-wrap: wrap;
        gap: 4px;
        margin-top: 4px;
      }
      .choice {
        font-size: 0.85em;
        padding: 1px 8px;
        border-radius: 999px;
        border: 1px solid var(--tp-border);
      }
      .choice.picked {
        font-weight: 700;
        border-color: var(--tp-primary);
      }
      img {
        max-width: 240px;
        border-radius: 6px;
      }
      textarea {
        width: 100%;
        min-height: 60px;
        font: inherit;
      }
      .typing {
        font-style: italic;
      }
    `,
  ];

  constructor() {
    super();
    this.caseId = '';
    this.deviceId = '';
    this.customerLocale = null;
    this.flowId = null;
    this.fixes = [];
    this.canWrite = false;
    this.active = true;
    this._items = [];
    this._typingUntil = 0;
    this._canned = [];
    this._draft = '';
    this._choices = '';
    this._fix = '';
    this._busy = false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('caseId')) {
      this._items = [];
      this._error = undefined;
      if (this.caseId) void this.load();
    }
    if (changed.has('customerLocale') || (changed.has('caseId') && this.caseId)) void this.loadCanned();
    if (changed.has('fixes') && !this.fixes.some((f) => f.name === this._fix)) this._fix = this.fixes[0]?.name ?? '';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.typingTimer);
  }

  private onLive(e: LiveEvent): void {
    if (e.type !== 'chat' || e.caseId !== this.caseId) return;
    if (e.change === 'typing') {
      if (e.from !== 'customer') return;
      this._typingUntil = e.typing ? Date.now() + TYPING_SHOWN_MS : 0;
      clearTimeout(this.typingTimer);
      if (e.typing) this.typingTimer = setTimeout(() => (this._typingUntil = 0), TYPING_SHOWN_MS);
      return;
    }
    if (e.from === 'customer' && e.change === 'message') this._typingUntil = 0;
    void this.load();
  }

  private async load(): Promise<void> {
    const generation = ++this.generation;
    try {
      const { items, customerTyping } = await fetchChat(this.caseId);
      if (generation !== this.generation) return;
      this._items = items;
      this._error = undefined;
      if (customerTyping && this._typingUntil === 0) this._typingUntil = Date.now() + TYPING_SHOWN_MS;
      await this.markRead(items);
    } catch (err) {
      if (generation === this.generation) this._error = (err as Error).message;
    }
  }

  /** The chat is on screen: the customer's newest message is read (they see it on the device). */
  private async markRead(items: ChatEntryView[]): Promise<void> {
    if (!this.canWrite) return;
    const last = items.findLast((i) => i.from === 'customer');
    if (last && last.readAt === null) await markChatRead(this.caseId, last.id);
  }

  private async loadCanned(): Promise<void> {
    try {
      this._canned = (await fetchCanned(this.customerLocale)).items;
    } catch {
      // Without canned replies staff still type; the list is a convenience.
      this._canned = [];
    }
  }

  private async send(body: ChatStaffBody): Promise<void> {
    this._busy = true;
    this._error = undefined;
    try {
      await sendChat(this.caseId, { body });
      this._draft = '';
      this._choices = '';
      this.typingSentAt = 0;
      await this.load();
    } catch (err) {
      this._error = (err as Error).message;
    } finally {
      this._busy = false;
    }
  }

  private typed(text: string): void {
    this._draft = text;
    const now = Date.now();
    if (now - this.typingSentAt < TYPING_EVERY_MS) return;
    this.typingSentAt = now;
    void sendChatTyping(this.caseId, true).catch(() => undefined);
  }

  private choices(): { id: string; label: string }[] {
    const labels = [...new Set(this._choices.split(',').map((s) => s.trim()))].filter((s) => s !== '').slice(0, 6);
    return labels.map((label, i) => ({ id: `c${i + 1}`, label: label.slice(0, 40) }));
  }

  override render() {
    const t = this.i18n.t;
    const typing = this._typingUntil > Date.now();
    return html`
      <div class="log" role="log" aria-live="polite" aria-label=${t('chat.title')}>
        ${this._items.length === 0 ? html`<p class="muted">${t('chat.empty')}</p>` : nothing}
        ${this._items.map((m) => this.message(m))}
        ${typing ? html`<p class="muted typing" id="chat-customer-typing">${t('chat.customerTyping')}</p>` : nothing}
      </div>
      ${this._error ? html`<div class="error-box" role="alert">${this._error}</div>` : nothing}
      ${this.canWrite && this.active ? this.compose() : nothing}
    `;
  }

  private message(m: ChatEntryView) {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    const b = m.body;
    const who = m.from === 'staff' ? (m.staff?.displayName ?? t('chat.staff')) : t('chat.customer');
    const state =
      m.from === 'staff'
        ? m.readAt !== null
          ? t('chat.read')
          : t('chat.delivered')
        : formatTime(m.receivedAt, locale);
    return html`<div class="msg ${m.from}" data-id=${m.id} data-kind=${b.kind} data-read=${m.readAt !== null}>
      <div class="meta">${who} · ${formatTime(m.at, locale)}</div>
      ${
        b.kind === 'image'
          ? html`<img alt=${t('chat.image')} src=${`data:${b.mime};base64,${b.data}`} />`
          : b.kind === 'answer'
            ? html`<div>${t('chat.tapped', { choice: this.choiceLabel(b.replyTo, b.choice) })}</div>`
            : b.kind === 'read'
              ? nothing
              : html`<div class="text">${b.text}</div>`
      }
      ${m.from === 'staff' && b.kind !== 'text' ? this.offered(m) : nothing}
      <div class="meta" data-state>${state}</div>
    </div>`;
  }

  /** What an interactive message offered, the customer's pick marked. */
  private offered(m: ChatEntryView) {
    const t = this.i18n.t;
    const b = m.body;
    const kindLabel =
      b.kind === 'flowStep'
        ? t('chat.kind.flowStep', { flow: b.flowId })
        : b.kind === 'fix'
          ? t('chat.kind.fix', { action: b.action })
          : b.kind === 'video'
            ? t('chat.kind.video')
            : t('chat.kind.quickReplies');
    const choices =
      b.kind === 'quickReplies'
        ? b.choices
        : [
            { id: 'accept', label: t('chat.accept') },
            { id: 'decline', label: t('chat.decline') },
          ];
    return html`<div class="meta">${kindLabel}</div>
      <div class="choices">
        ${choices.map(
          (c) =>
            html`<span class="choice ${m.answer?.choice === c.id ? 'picked' : ''}" data-choice=${c.id}
              >${c.label}</span
            >`,
        )}
      </div>
      ${m.answer ? html`<div class="meta answered">${t('chat.answered', { choice: this.choiceLabel(m.id, m.answer.choice) })}</div>` : nothing}`;
  }

  private choiceLabel(messageId: string, choice: string): string {
    const t = this.i18n.t;
    const target = this._items.find((i) => i.id === messageId);
    if (target?.body.kind === 'quickReplies') return target.body.choices.find((c) => c.id === choice)?.label ?? choice;
    return choice === 'accept' ? t('chat.accept') : t('chat.decline');
  }

  private compose() {
    const t = this.i18n.t;
    const text = this._draft.trim();
    const none = text === '' || this._busy;
    const choices = this.choices();
    return html`
      ${
        this._canned.length > 0
          ? html`<div class="row" aria-label=${t('chat.canned')}>
              ${this._canned.map(
                (c) =>
                  html`<button
                    class="canned"
                    data-canned=${c.id}
                    ?disabled=${this._busy}
                    @click=${() => (this._draft = c.text)}
                  >
                    ${c.text.length > 40 ? `${c.text.slice(0, 40)}…` : c.text}
                  </button>`,
              )}
            </div>`
          : nothing
      }
      <textarea
        id="chat-text"
        aria-label=${t('chat.placeholder')}
        placeholder=${t('chat.placeholder')}
        maxlength="1000"
        .value=${this._draft}
        @input=${(e: Event) => this.typed((e.target as HTMLTextAreaElement).value)}
      ></textarea>
      <div class="row">
        <button class="primary" id="chat-send" ?disabled=${none} @click=${() => void this.send({ kind: 'text', text })}>
          ${t('chat.send')}
        </button>
        <input
          id="chat-choices"
          aria-label=${t('chat.choicesLabel')}
          placeholder=${t('chat.choicesLabel')}
          .value=${this._choices}
          @input=${(e: Event) => (this._choices = (e.target as HTMLInputElement).value)}
        />
        <button
          id="chat-send-choices"
          ?disabled=${none || choices.length === 0}
          @click=${() => void this.send({ kind: 'quickReplies', text, choices })}
        >
          ${t('chat.sendChoices')}
        </button>
      </div>
      <div class="row">
        ${
          this.flowId
            ? html`<button
                id="chat-send-flow"
                ?disabled=${none}
                @click=${() => void this.send({ kind: 'flowStep', text, flowId: this.flowId! })}
              >
                ${t('chat.sendFlow', { flow: this.flowId })}
              </button>`
            : nothing
        }
        ${
          this.fixes.length > 0
            ? html`<select
                  id="chat-fix"
                  aria-label=${t('chat.fixLabel')}
                  .value=${this._fix}
                  @change=${(e: Event) => (this._fix = (e.target as HTMLSelectElement).value)}
                >
                  ${this.fixes.map((f) => html`<option value=${f.name} ?selected=${f.name === this._fix}>${f.label}</option>`)}
                </select>
                <button
                  id="chat-send-fix"
                  ?disabled=${none || this._fix === ''}
                  @click=${() => void this.send({ kind: 'fix', text, action: this._fix })}
                >
                  ${t('chat.sendFix')}
                </button>`
            : nothing
        }
        <button id="chat-send-video" ?disabled=${none} @click=${() => void this.send({ kind: 'video', text })}>
          ${t('chat.sendVideo')}
        </button>
      </div>
      <p class="muted">${t('chat.interactiveHint')}</p>
    `;
  }
}

customElements.define('tpc-case-chat', TpCaseChat);
declare global {
  interface HTMLElementTagNameMap {
    'tpc-case-chat': TpCaseChat;
  }
}
