import { LitElement, css, html, nothing } from 'lit';
import { LocaleController } from '../i18n/locale-controller.js';
import type { MessageKey } from '../i18n/translator.js';
import { VideoCallController } from './video-call-controller.js';

const OUTCOME_TEXT: Record<string, MessageKey> = {
  declined: 'video.outcome.declined',
  timeout: 'video.outcome.timeout',
  offline: 'video.outcome.offline',
  busy: 'video.outcome.busy',
};

/**
 * The call panel on the device view and on a case: "Start video", the call
 * state (ringing, connecting, connected, reconnecting, ended), the customer's
 * video and Hang up. The customer must accept on the device (or their phone)
 * before anything is shared; the panel says "declined" or "no answer" otherwise.
 */
export class TpVideoCall extends LitElement {
  static override properties = {
    deviceId: { type: String, attribute: 'device-id' },
    caseId: { type: String, attribute: 'case-id' },
    disabled: { type: Boolean },
    camera: { attribute: false },
  };
  declare deviceId: string;
  declare caseId: string | undefined;
  declare disabled: boolean;
  /** The device's profile says it has a camera; before a call the panel knows only this (the call's view says it later). */
  declare camera: boolean | undefined;

  readonly call = new VideoCallController(this);
  private readonly i18n = new LocaleController(this);

  constructor() {
    super();
    this.deviceId = '';
    this.disabled = false;
  }

  protected override updated(): void {
    this.setAttribute('state', this.call.phase);
    const video = this.renderRoot.querySelector<HTMLMediaElement>('#remote');
    if (video && video.srcObject !== (this.call.remoteStream ?? null)) video.srcObject = this.call.remoteStream ?? null;
  }

  override render() {
    const t = this.i18n.t;
    const { phase, session } = this.call;
    const live = phase === 'connecting' || phase === 'connected' || phase === 'reconnecting';
    // No camera on the device, and the call is not on the phone: audio only, and an offer of the phone (issue 16).
    const noCamera = (session ? !session.deviceCamera : this.camera === false) && session?.peer !== 'phone';
    return html`<section aria-label=${t('video.section')}>
      <header>
        <h3>${t('video.title')}</h3>
        <span class="state" id="call-state" role="status" aria-live="polite">${this.stateText()}</span>
      </header>
      ${noCamera && phase !== 'ended' ? this.renderNoCamera(live && session?.peer === 'device') : nothing}
      ${live ? (noCamera ? html`<audio id="remote" autoplay></audio>` : html`<video id="remote" autoplay playsinline></video>`) : nothing}
      ${live && session?.peer === 'phone' ? html`<p class="muted">${t('video.onPhone')}</p>` : nothing}
      ${this.call.error ? html`<p class="error" role="alert">${this.call.error}</p>` : nothing}
      <div class="actions">
        ${
          phase === 'idle' || phase === 'ended'
            ? html`<button
                id="start-video"
                ?disabled=${this.disabled || !this.deviceId}
                @click=${() => void this.call.start(this.deviceId, this.caseId)}
              >
                ${t('video.start')}
              </button>`
            : html`<button
                id="hangup"
                class="danger"
                ?disabled=${phase === 'starting'}
                @click=${() => void this.call.hangup()}
              >
                ${t('video.hangUp')}
              </button>`
        }
      </div>
    </section>`;
  }

  private renderNoCamera(canOffer: boolean) {
    const t = this.i18n.t;
    return html`<div class="no-camera" id="no-camera" role="note">
      <p><strong>${t('video.noCamera')}</strong> ${t('video.noCameraHear')}</p>
      <p class="muted">${t('video.noCameraPhone')}</p>
      ${
        canOffer
          ? html`<div class="actions">
              <button id="offer-phone" @click=${() => void this.call.offerPhone()}>${t('video.offerPhone')}</button>
              ${this.call.phoneOfferedAt ? html`<span class="muted" id="phone-offered" role="status">${t('video.phoneOffered')}</span>` : nothing}
            </div>`
          : nothing
      }
    </div>`;
  }

  private stateText(): string {
    const t = this.i18n.t;
    const { phase, outcome, endedBy, session } = this.call;
    switch (phase) {
      case 'idle':
        return t('video.idle');
      case 'starting':
        return t('video.starting');
      case 'ringing':
        return t('video.ringing');
      case 'connecting':
        return t('video.connecting');
      case 'connected':
        return t('video.connected');
      case 'reconnecting':
        return t('video.reconnecting');
      case 'ended': {
        const known = outcome ? OUTCOME_TEXT[outcome] : undefined;
        if (known) return t(known);
        const ended = t(
          endedBy === 'staff'
            ? 'video.endedByStaff'
            : endedBy === 'phone'
              ? 'video.endedByPhone'
              : 'video.endedByCustomer',
        );
        const seconds =
          session?.connectedAt && session.endedAt ? Math.round((session.endedAt - session.connectedAt) / 1000) : 0;
        return seconds ? t('video.endedAfter', { ended, count: seconds }) : ended;
      }
    }
  }

  static override styles = css`
    :host {
      display: block;
    }
    section {
      border: 1px solid var(--tp-border, #c9d1db);
      border-radius: 8px;
      padding: 0.75em;
      display: grid;
      gap: 0.5em;
    }
    header {
      display: flex;
      align-items: baseline;
      gap: 0.75em;
    }
    h3 {
      margin: 0;
      font-size: 1em;
    }
    .state {
      font-weight: 600;
    }
    :host([state='ended']) .state {
      color: var(--tp-muted, #4a5563);
    }
    .no-camera {
      border: 1px dashed var(--tp-border, #c9d1db);
      border-radius: 6px;
      padding: 0.5em 0.75em;
      display: grid;
      gap: 0.4em;
    }
    .no-camera p {
      margin: 0;
    }
    .actions span {
      align-self: center;
    }
    video {
      width: 100%;
      max-height: 360px;
      background: #000;
      border-radius: 6px;
    }
    .actions {
      display: flex;
      gap: 0.5em;
    }
    button {
      min-height: 36px;
      padding: 0 1em;
      font: inherit;
      border-radius: 6px;
      cursor: pointer;
    }
    .danger {
      background: var(--tp-danger, #b3261e);
      color: #fff;
      border: 0;
    }
    .error {
      color: var(--tp-danger, #b3261e);
      margin: 0;
    }
    .muted {
      color: var(--tp-muted, #4a5563);
      margin: 0;
    }
  `;
}

customElements.define('tpc-video-call', TpVideoCall);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-video-call': TpVideoCall;
  }
}
