import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import QRCode from 'qrcode';
import { ConsentArmController } from '../controllers/consent-arm-controller.js';
import { VideoCallController, type VideoAgentPort } from './video-call-controller.js';
import { fill, videoStrings } from './video-strings.js';

/**
 * The video call overlay on the touchscreen: the consent sheet (who calls,
 * what is shared, Accept / Decline, the phone code), then the call view with
 * the staff member's video, a live indicator for the whole call and End.
 * It only renders; the call lives in VideoCallController. Mounted inside the
 * app as `<tp-video slot="overlay">`; it reaches the agent through the app's
 * `client` and follows its `locale`.
 */
export class TpVideo extends LitElement {
  static override properties = {
    client: { attribute: false },
    locale: { type: String },
    qr: { state: true },
    showQr: { state: true },
  };
  declare client: VideoAgentPort | undefined;
  declare locale: string;
  declare qr: string | undefined;
  declare showQr: boolean;
  private qrFor: string | undefined;

  /** Accept works once the ringing sheet has been on screen for a moment (issue 12, item 6). */
  private readonly arm = new ConsentArmController(this);
  private readonly call = new VideoCallController(
    this,
    () => this.client ?? (this.parentElement as { client?: VideoAgentPort } | null)?.client,
  );
  private readonly onLocale = (e: Event) => {
    this.locale = (e as CustomEvent<{ locale: string }>).detail.locale;
  };

  constructor() {
    super();
    this.locale = 'en';
    this.showQr = false;
  }

  override connectedCallback(): void {
    const app = this.parentElement as { locale?: string } | null;
    if (app?.locale) this.locale = app.locale;
    this.parentElement?.addEventListener('tp-locale-change', this.onLocale);
    super.connectedCallback();
  }

  override disconnectedCallback(): void {
    this.parentElement?.removeEventListener('tp-locale-change', this.onLocale);
    super.disconnectedCallback();
  }

  protected override willUpdate(_changed: PropertyValues): void {
    const url = this.call.handoffUrl;
    if (url && url !== this.qrFor) {
      this.qrFor = url;
      // A new code while a call runs was asked for: by the customer, or by support from the console.
      const live = this.call.phase !== 'ringing' && this.call.phase !== 'ended' && this.call.phase !== 'idle';
      if (live && !this.call.cameraShared) this.showQr = true;
      // Rendered locally into a data URL: the code never leaves the device, nothing is fetched.
      QRCode.toDataURL(url, { margin: 1, width: 220, errorCorrectionLevel: 'M' })
        .then((data) => {
          if (this.qrFor === url) this.qr = data;
        })
        .catch(() => undefined);
    }
    if (this.call.phase === 'idle' || this.call.phase === 'ringing')
      this.toggleAttribute('active', this.call.phase === 'ringing');
    else this.toggleAttribute('active', true);
    this.setAttribute('state', this.call.phase);
    if (this.call.phase === 'ringing' && this.call.ring && !this.call.cameraShared) this.showQr = true;
    if (this.call.phase === 'idle') this.showQr = false;
  }

  protected override updated(): void {
    this.arm.track(this.call.phase === 'ringing' && this.call.ring !== undefined, this.call.ring?.sessionId);
    const remote = this.renderRoot.querySelector<HTMLVideoElement>('#remote');
    if (remote && remote.srcObject !== (this.call.remoteStream ?? null))
      remote.srcObject = this.call.remoteStream ?? null;
    const local = this.renderRoot.querySelector<HTMLVideoElement>('#local');
    if (local && local.srcObject !== (this.call.localStream ?? null)) local.srcObject = this.call.localStream ?? null;
  }

  override render() {
    const t = videoStrings(this.locale);
    const { phase, ring } = this.call;
    if (phase === 'idle' || !ring) return nothing;
    if (phase === 'ringing') {
      // The body scrolls if it must; the answer buttons sit below it, always on screen (issue 16: at 800x480
      // the phone code pushed them below the fold). In landscape the code stands beside the text.
      return html`<section
        class="sheet ${this.showQr ? 'with-qr' : ''}"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="v-title"
        aria-describedby="v-who"
      >
        <div class="body">
          <div class="text">
            <h2 id="v-title">${t.incoming}</h2>
            <p id="v-who" class="who">${fill(t.who, { name: ring.staffName })}</p>
            <p>${t.shares}</p>
            <ul class="shares">
              ${ring.shares.microphone ? html`<li>🎤 ${t.microphone}</li>` : nothing}
              ${ring.shares.camera ? html`<li>📷 ${t.camera}</li>` : nothing}
            </ul>
            <p class="muted">${t.notRecorded}</p>
            ${ring.shares.camera ? nothing : html`<p class="no-camera">${t.noCamera}</p>`}
          </div>
          ${this.showQr ? this.renderQr(t) : html`<button class="link" id="video-phone" @click=${this.openQr}>${t.usePhone}</button>`}
        </div>
        <div class="actions">
          <button id="video-decline" class="danger" @click=${() => void this.call.decline()}>${t.decline}</button>
          <button
            id="video-accept"
            class="primary"
            ?disabled=${!this.arm.armed}
            @click=${() => void this.call.accept()}
          >
            ${t.accept}
          </button>
        </div>
      </section>`;
    }
    if (phase === 'ended') {
      const text =
        this.call.endedBy === 'timeout' ? t.endedTimeout : this.call.endedBy === 'phone' ? t.endedPhone : t.ended;
      return html`<section class="note" role="status">
        ${this.call.error ? fill(t.failed, { reason: this.call.error }) : text}
      </section>`;
    }
    const stateText = phase === 'connected' ? t.connected : phase === 'reconnecting' ? t.reconnecting : t.connecting;
    return html`<section class="call" aria-label=${t.incoming}>
      <div class="indicator" id="video-indicator" role="status">
        <span class="dot"></span>${this.call.cameraShared ? t.liveCamera : t.live}
      </div>
      <div class="stage">
        <video id="remote" autoplay playsinline></video>
        ${this.call.cameraShared ? html`<video id="local" autoplay playsinline muted></video>` : nothing}
        <p class="state" aria-live="polite">${ring.staffName} · ${stateText}</p>
        ${
          this.showQr
            ? html`<div class="call-qr" id="call-qr">
                <p>${t.scanMoves}</p>
                ${this.renderQr(t)}
              </div>`
            : nothing
        }
      </div>
      <div class="actions">
        ${
          // No camera here: the customer (or support, from the console) can move the call to the phone (issue 16).
          this.call.cameraShared || this.showQr
            ? nothing
            : html`<button class="link" id="video-phone" @click=${this.phoneInCall}>${t.showWithPhone}</button>`
        }
        <button id="video-end" class="danger" @click=${() => void this.call.hangup()}>${t.end}</button>
      </div>
    </section>`;
  }

  /** Lit calls event listeners with the element as `this`. */
  private openQr(): void {
    this.showQr = true;
  }

  /** During a call the ring's code is void (consent revoked it): show a fresh one. */
  private phoneInCall(): void {
    this.showQr = true;
    this.qr = undefined;
    void this.call.newPhoneLink();
  }

  private renderQr(t: ReturnType<typeof videoStrings>) {
    return html`<div class="qr">
      ${this.qr ? html`<img id="video-qr" src=${this.qr} width="220" height="220" alt=${t.scan} />` : nothing}
      <p class="muted">${t.scan}</p>
      <button class="link" @click=${() => void this.call.newPhoneLink()}>${t.newCode}</button>
    </div>`;
  }

  static override styles = css`
    :host {
      position: fixed;
      inset: 0;
      z-index: 100;
      display: none;
    }
    :host([active]) {
      display: flex;
      align-items: center;
      justify-content: center;
      background: rgb(0 0 0 / 55%);
    }
    :host([state='ended']) {
      background: transparent;
      align-items: flex-start;
      pointer-events: none;
    }
    .sheet,
    .call,
    .note {
      background: var(--tp-surface, #fff);
      color: var(--tp-text, #16202c);
      border-radius: 16px;
      padding: 1em 1.25em;
      box-sizing: border-box;
    }
    .sheet {
      width: min(92vw, 36em);
      max-height: 96vh;
      max-height: 96dvh;
      display: grid;
      grid-template-rows: minmax(0, 1fr) auto;
    }
    .sheet .body {
      min-height: 0;
      overflow: auto;
    }
    @media (orientation: landscape) {
      .sheet.with-qr {
        width: min(96vw, 50em);
      }
      .sheet.with-qr .body {
        display: grid;
        grid-template-columns: minmax(0, 1fr) minmax(0, 15em);
        gap: 1em;
        align-items: start;
      }
    }
    /* A short landscape screen (800x480): a smaller code, still well above what a phone camera needs. */
    @media (max-height: 560px) {
      .qr img {
        width: 168px;
        height: 168px;
      }
      .call-qr .qr img {
        width: 132px;
        height: 132px;
      }
      .call-qr p {
        font-size: 0.9em;
      }
      h2 {
        font-size: 1.15em;
      }
    }
    .call {
      width: 100vw;
      height: 100vh;
      border-radius: 0;
      display: grid;
      grid-template-rows: auto minmax(0, 1fr) auto;
      gap: 0.5em;
      background: #0d1117;
      color: #fff;
    }
    .note {
      margin-top: 1em;
      box-shadow: 0 4px 16px rgb(0 0 0 / 25%);
    }
    h2 {
      margin: 0 0 0.4em;
      font-size: 1.3em;
    }
    p {
      margin: 0.3em 0;
    }
    .who {
      font-weight: 600;
    }
    .muted {
      color: var(--tp-muted, #4a5563);
      font-size: 0.9em;
    }
    .shares {
      margin: 0.2em 0 0.5em;
      padding-left: 1.2em;
    }
    .actions {
      display: flex;
      gap: 0.75em;
      margin-top: 0.75em;
    }
    button {
      min-height: 48px;
      min-width: 48px;
      font: inherit;
      font-weight: 600;
      border-radius: 10px;
      padding: 0 1em;
      cursor: pointer;
      flex: 1;
      border: 2px solid transparent;
    }
    button:disabled {
      opacity: 0.55;
      cursor: default;
    }
    button:focus-visible {
      outline: 3px solid var(--tp-focus, #e8a200);
      outline-offset: 2px;
    }
    .primary {
      background: var(--tp-ok, #146c2e);
      color: #fff;
    }
    .danger {
      background: var(--tp-danger, #b3261e);
      color: #fff;
    }
    .link {
      background: transparent;
      color: var(--tp-primary, #0b57d0);
      border-color: var(--tp-primary, #0b57d0);
      flex: none;
      width: 100%;
      margin-top: 0.25em;
    }
    .qr p {
      text-align: center;
    }
    .qr {
      display: flex;
      flex-direction: column;
      align-items: center;
      gap: 0.25em;
      margin-top: 0.5em;
    }
    .qr img {
      background: #fff;
      padding: 6px;
      border-radius: 8px;
    }
    .call-qr {
      position: absolute;
      top: 0.5em;
      right: 0.5em;
      max-width: min(46%, 20em);
      max-height: calc(100% - 1em);
      overflow: auto;
      background: var(--tp-surface, #fff);
      color: var(--tp-text, #16202c);
      border-radius: 12px;
      padding: 0.5em 0.75em;
      box-sizing: border-box;
    }
    .call-qr .qr {
      margin-top: 0;
    }
    .indicator {
      display: inline-flex;
      align-items: center;
      gap: 0.5em;
      justify-self: start;
      background: var(--tp-danger, #b3261e);
      color: #fff;
      border-radius: 999px;
      padding: 0.3em 0.9em;
      font-weight: 700;
    }
    .dot {
      width: 0.7em;
      height: 0.7em;
      border-radius: 50%;
      background: #fff;
      animation: pulse 1.5s ease-in-out infinite;
    }
    @keyframes pulse {
      50% {
        opacity: 0.35;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .dot {
        animation: none;
      }
    }
    .stage {
      position: relative;
      background: #000;
      border-radius: 12px;
      overflow: hidden;
      min-height: 0;
    }
    #remote {
      width: 100%;
      height: 100%;
      object-fit: contain;
    }
    #local {
      position: absolute;
      right: 0.5em;
      bottom: 0.5em;
      width: 24%;
      border: 2px solid #fff;
      border-radius: 8px;
    }
    .state {
      position: absolute;
      left: 0.5em;
      bottom: 0.5em;
      margin: 0;
      background: rgb(0 0 0 / 60%);
      padding: 0.2em 0.6em;
      border-radius: 6px;
    }
  `;
}

customElements.define('tp-video', TpVideo);

declare global {
  interface HTMLElementTagNameMap {
    'tp-video': TpVideo;
  }
}
