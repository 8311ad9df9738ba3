import { LitElement, css, html, nothing } from 'lit';
import { VideoCallController } from './video-call-controller.js';

const OUTCOME_TEXT: Record<string, string> = {
  declined: 'declined',
  timeout: 'no answer',
  offline: 'device went offline',
  busy: 'device busy',
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
    const { phase, session } = this.call;
    const live = phase === 'connecting' || phase === 'connected' || phase === 'reconnecting';
    // No camera on the device, and the call is not on the phone: audio only, and an offer of the phone (issue 16).
    const noCamera = (session ? !session.deviceCamera : this.camera === false) && session?.peer !== 'phone';
    return html`<section aria-label="Video call">
      <header>
        <h3>Video</h3>
        <span class="state" id="call-state" role="status" aria-live="polite">${this.stateText()}</span>
      </header>
      ${noCamera && phase !== 'ended' ? this.renderNoCamera(live && session?.peer === 'device') : nothing}
      ${live ? (noCamera ? html`<audio id="remote" autoplay></audio>` : html`<video id="remote" autoplay playsinline></video>`) : nothing}
      ${live && session?.peer === 'phone' ? html`<p class="muted">The customer continues on their phone.</p>` : nothing}
      ${this.call.error ? html`<p class="error" role="alert">${this.call.error}</p>` : nothing}
      <div class="actions">
        ${
          phase === 'idle' || phase === 'ended'
            ? html`<button
                id="start-video"
                ?disabled=${this.disabled || !this.deviceId}
                @click=${() => void this.call.start(this.deviceId, this.caseId)}
              >
                Start video
              </button>`
            : html`<button
                id="hangup"
                class="danger"
                ?disabled=${phase === 'starting'}
                @click=${() => void this.call.hangup()}
              >
                Hang up
              </button>`
        }
      </div>
    </section>`;
  }

  private renderNoCamera(canOffer: boolean) {
    return html`<div class="no-camera" id="no-camera" role="note">
      <p><strong>This device has no camera.</strong> You hear the customer; there is no picture.</p>
      <p class="muted">
        To see the problem, the customer can continue on their phone: the device shows them a code to scan.
      </p>
      ${
        canOffer
          ? html`<div class="actions">
              <button id="offer-phone" @click=${() => void this.call.offerPhone()}>
                Show the customer a phone code
              </button>
              ${this.call.phoneOfferedAt ? html`<span class="muted" id="phone-offered" role="status">The code is on the customer's screen.</span>` : nothing}
            </div>`
          : nothing
      }
    </div>`;
  }

  private stateText(): string {
    const { phase, outcome, endedBy, session } = this.call;
    switch (phase) {
      case 'idle':
        return 'No call';
      case 'starting':
        return 'Calling…';
      case 'ringing':
        return `Ringing on the device (waiting for consent)`;
      case 'connecting':
        return 'Connecting';
      case 'connected':
        return 'Connected';
      case 'reconnecting':
        return 'Reconnecting';
      case 'ended': {
        if (outcome && OUTCOME_TEXT[outcome]) return OUTCOME_TEXT[outcome];
        const who = endedBy === 'staff' ? 'you' : endedBy === 'phone' ? 'the customer (phone)' : 'the customer';
        const seconds =
          session?.connectedAt && session.endedAt ? Math.round((session.endedAt - session.connectedAt) / 1000) : 0;
        return `Ended by ${who}${seconds ? ` after ${seconds} s` : ''}`;
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
