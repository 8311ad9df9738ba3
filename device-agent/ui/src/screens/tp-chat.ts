import { LitElement, css, html, nothing } from 'lit';
import type { ChatStaffBody, UiChatEntry, UiChatStateMessage } from '@touchpoint/protocol';
import {
  CHAT_ACCEPT,
  CHAT_DECLINE,
  CHAT_IMAGE_MAX_BYTES,
  CHAT_IMAGE_TYPES,
  CHAT_TEXT_MAX,
} from '../common/chat-limits.js';
import { formatClockTime } from '../common/format-clock-time.js';
import type { UiLocale } from '../common/initial-locale.js';
import { emitIntent } from '../components/intent.js';
import type { MessageKey, Translate } from '../i18n/translator.js';
import { frame, shared } from '../styles/shared.js';

type StaffEntry = Extract<UiChatEntry, { from: 'staff' }>;

/** The two buttons of a flow step, fix proposal or video request: what each kind's accept says. */
const ACCEPT_LABEL: Record<Exclude<ChatStaffBody['kind'], 'text' | 'quickReplies'>, MessageKey> = {
  flowStep: 'chatFlowStart',
  fix: 'chatFixYes',
  video: 'chatVideoYes',
};
const STATE_LABEL: Record<'queued' | 'delivered' | 'read', MessageKey> = {
  queued: 'chatQueued',
  delivered: 'chatDelivered',
  read: 'chatRead',
};

/**
 * The live chat with support (issue 17), while a case is open: the conversation, big buttons for the answers
 * staff offer (typing on an appliance is hard), a text field, and a photo the customer sends only after they
 * saw it and said yes. Renders and raises intents only; tp-app acts on them.
 */
export class TpChat extends LitElement {
  static override properties = {
    t: { attribute: false },
    locale: {},
    chat: { attribute: false },
    pending: { type: Boolean },
    offline: { type: Boolean },
    error: {},
    draft: { state: true },
    photo: { state: true },
  };
  declare t: Translate;
  declare locale: UiLocale;
  declare chat: UiChatStateMessage;
  declare pending: boolean;
  declare offline: boolean;
  declare error: string | undefined;
  declare draft: string;
  /** A photo the customer picked, waiting for their yes; `tooLarge` when it cannot be sent. */
  declare photo: { mime: string; data: string; tooLarge: boolean } | undefined;

  static override styles = [
    shared,
    frame,
    css`
      :host {
        grid-template-rows: auto minmax(0, 1fr) auto;
      }
      .log {
        gap: 0.6em;
      }
      .msg {
        max-width: 85%;
        padding: 0.55em 0.8em;
        border-radius: 14px;
        background: var(--tp-surface);
        border: 1px solid var(--tp-border);
        overflow-wrap: anywhere;
      }
      .msg.customer {
        align-self: flex-end;
        background: var(--tp-primary-bg, var(--tp-surface));
      }
      .who,
      .meta {
        font-size: 0.8em;
        color: var(--tp-muted);
      }
      .choices {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5em;
        margin-top: 0.5em;
      }
      .choices button[aria-pressed='true'] {
        background: var(--tp-primary);
        color: var(--tp-on-primary);
      }
      img {
        max-width: 100%;
        max-height: 40vh;
        border-radius: 8px;
      }
      .compose {
        display: flex;
        gap: 0.5em;
        padding: 0.5em 0.75em;
        border-top: 1px solid var(--tp-border);
        background: var(--tp-surface);
        align-items: flex-end;
      }
      textarea {
        flex: 1;
        font: inherit;
        min-height: 48px;
        max-height: 30vh;
        padding: 0.5em;
        border-radius: 12px;
        border: 2px solid var(--tp-border);
        resize: none;
      }
      .typing {
        font-style: italic;
        color: var(--tp-muted);
      }
      .note {
        color: var(--tp-muted);
      }
      .error {
        color: var(--tp-danger);
        font-weight: 600;
      }
      input[type='file'] {
        display: none;
      }
    `,
  ];

  constructor() {
    super();
    this.draft = '';
    this.photo = undefined;
    this.pending = false;
    this.offline = false;
  }

  protected override updated(): void {
    const log = this.renderRoot.querySelector('.log');
    log?.scrollTo({ top: log.scrollHeight });
  }

  protected override render() {
    const t = this.t;
    const { entries, staffTyping } = this.chat;
    return html`
      <div class="bar">
        <h1>${t('chatTitle')}</h1>
        <button id="chat-close" @click=${() => emitIntent(this, { kind: 'chat-close' })}>${t('chatBack')}</button>
      </div>
      <div class="body log" role="log" aria-live="polite">
        ${entries.length === 0 ? html`<p class="note">${t('chatEmpty')}</p>` : nothing}
        ${entries.map((e) => (e.from === 'staff' ? this.staff(e) : this.customer(e)))}
        ${staffTyping ? html`<p class="typing" id="chat-typing">${t('chatTyping', { name: staffTyping })}</p>` : nothing}
        ${this.offline ? html`<p class="note" role="status">${t('chatOffline')}</p>` : nothing}
        ${this.error ? html`<p class="error" role="alert">${t('chatError', { message: this.error })}</p>` : nothing}
      </div>
      ${this.photo ? this.photoConsent(this.photo) : this.compose()}
    `;
  }

  private staff(e: StaffEntry) {
    const t = this.t;
    const expired = e.expiresAt !== undefined && Date.now() > e.expiresAt && e.answer === undefined;
    return html`<div class="msg staff" data-id=${e.id} data-kind=${e.body.kind}>
      <div class="who">${e.staffName} · ${formatClockTime(this.locale, e.at)}</div>
      <div class="text">${e.body.text}</div>
      ${this.buttons(e, expired)} ${expired ? html`<div class="meta">${t('chatExpired')}</div>` : nothing}
    </div>`;
  }

  private buttons(e: StaffEntry, expired: boolean) {
    const body = e.body;
    if (body.kind === 'text') return nothing;
    const choices =
      body.kind === 'quickReplies'
        ? body.choices
        : [
            { id: CHAT_ACCEPT, label: this.t(ACCEPT_LABEL[body.kind]) },
            { id: CHAT_DECLINE, label: this.t('chatNotNow') },
          ];
    const answered = e.answer !== undefined;
    return html`<div class="choices">
      ${choices.map(
        (c) =>
          html`<button
            class="choice"
            data-choice=${c.id}
            aria-pressed=${e.answer === c.id ? 'true' : 'false'}
            ?disabled=${answered || expired || this.pending}
            @click=${() =>
              emitIntent(this, {
                kind: 'chat-answer',
                replyTo: e.id,
                choice: c.id,
                ...(body.kind === 'flowStep' && c.id === CHAT_ACCEPT ? { flowId: body.flowId } : {}),
              })}
          >
            ${c.label}
          </button>`,
      )}
    </div>`;
  }

  private customer(e: Extract<UiChatEntry, { from: 'customer' }>) {
    const t = this.t;
    const b = e.body;
    const content =
      b.kind === 'text'
        ? html`<div class="text">${b.text}</div>`
        : b.kind === 'image'
          ? html`<img alt=${t('chatImageAlt')} src=${`data:${b.mime};base64,${b.data}`} />`
          : b.kind === 'answer'
            ? html`<div class="text">${this.answerLabel(b.replyTo, b.choice)}</div>`
            : nothing;
    return html`<div class="msg customer" data-id=${e.id} data-state=${e.state}>
      ${content}
      <div class="meta">${formatClockTime(this.locale, e.at)} · ${t(STATE_LABEL[e.state])}</div>
    </div>`;
  }

  /** The label of the button the customer tapped, as they saw it. */
  private answerLabel(replyTo: string, choice: string): string {
    const target = this.chat.entries.find((x): x is StaffEntry => x.from === 'staff' && x.id === replyTo);
    if (target?.body.kind === 'quickReplies') return target.body.choices.find((c) => c.id === choice)?.label ?? choice;
    if (target && target.body.kind !== 'text' && choice === CHAT_ACCEPT) return this.t(ACCEPT_LABEL[target.body.kind]);
    return this.t('chatNotNow');
  }

  private compose() {
    const t = this.t;
    return html`<form class="compose" @submit=${this.submit}>
      <label>
        <input type="file" accept="image/*" capture="environment" @change=${this.picked} />
        <button type="button" id="chat-photo" @click=${this.pick}>${t('chatPhoto')}</button>
      </label>
      <textarea
        id="chat-input"
        aria-label=${t('chatPlaceholder')}
        placeholder=${t('chatPlaceholder')}
        maxlength=${CHAT_TEXT_MAX}
        .value=${this.draft}
        @input=${(ev: Event) => {
          this.draft = (ev.target as HTMLTextAreaElement).value;
          emitIntent(this, { kind: 'chat-typing' });
        }}
      ></textarea>
      <button class="primary" id="chat-send" type="submit" ?disabled=${this.pending || this.draft.trim() === ''}>
        ${t('chatSend')}
      </button>
    </form>`;
  }

  private photoConsent(photo: { mime: string; data: string; tooLarge: boolean }) {
    const t = this.t;
    return html`<div class="compose" role="dialog" aria-label=${t('chatPhoto')}>
      <img alt=${t('chatImageAlt')} src=${`data:${photo.mime};base64,${photo.data}`} />
      <p>
        ${
          photo.tooLarge
            ? t('chatPhotoTooLarge', { kib: Math.floor(CHAT_IMAGE_MAX_BYTES / 1024) })
            : t('chatPhotoConsent')
        }
      </p>
      ${
        photo.tooLarge
          ? nothing
          : html`<button
              class="primary"
              id="chat-photo-send"
              ?disabled=${this.pending}
              @click=${() => {
                emitIntent(this, { kind: 'chat-image', mime: photo.mime, data: photo.data });
                this.photo = undefined;
              }}
            >
              ${t('chatPhotoSend')}
            </button>`
      }
      <button id="chat-photo-cancel" @click=${() => (this.photo = undefined)}>${t('chatPhotoCancel')}</button>
    </div>`;
  }

  private readonly submit = (ev: Event): void => {
    ev.preventDefault();
    const text = this.draft.trim();
    if (!text) return;
    emitIntent(this, { kind: 'chat-send', text });
    this.draft = '';
  };

  private readonly pick = (): void => {
    this.renderRoot.querySelector<HTMLInputElement>('input[type=file]')?.click();
  };

  /** Reads the picked photo to show it first; nothing is sent before the customer's "Send photo". */
  private readonly picked = (ev: Event): void => {
    const input = ev.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    const allowed = (CHAT_IMAGE_TYPES as readonly string[]).includes(file.type);
    const mime = allowed ? file.type : 'image/jpeg';
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      this.photo = {
        mime,
        data: url.slice(url.indexOf(',') + 1),
        tooLarge: !allowed || file.size > CHAT_IMAGE_MAX_BYTES,
      };
    };
    reader.readAsDataURL(file);
  };
}

customElements.define('tp-chat', TpChat);
declare global {
  interface HTMLElementTagNameMap {
    'tp-chat': TpChat;
  }
}
