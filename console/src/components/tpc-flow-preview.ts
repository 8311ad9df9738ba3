import { LitElement, css, html } from 'lit';
import type { ContentBody, DeviceProfile, HelpFlow, SensorValue } from '@touchpoint/protocol';
import { sharedStyles } from './shared-styles.js';
import { LocaleController } from '../i18n/locale-controller.js';

/** The preview page's script, named by the console's build (console/build.mjs). */
declare const __TP_STUDIO_PREVIEW__: string;

/** The touchscreen the help runs on: the preview is this size, so a step wraps and scrolls as on the device. */
export const TOUCHSCREEN = { width: 800, height: 480 } as const;

/** Where the previewed flow is; raised whenever the preview shows a new screen. */
export class FlowPreviewState extends Event {
  static readonly type = 'tpc-preview-state';
  constructor(
    readonly stepId: string | null,
    readonly kind: string,
  ) {
    super(FlowPreviewState.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'tpc-preview-state': FlowPreviewState;
  }
}

interface PreviewStateMessage {
  type: 'preview.state';
  stepId: string | null;
  kind: string;
}

const isStateMessage = (data: unknown): data is PreviewStateMessage =>
  typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'preview.state';

/**
 * The flow studio's preview (issue 18): a frame of exactly 800×480 with the touch UI's own flow player and
 * the agent's own flow engine (device-agent/studio-preview), so a flow plays as on the touchscreen. The
 * staff member picks the language and the sensor values and error codes the check steps read. The frame's
 * document is written here (srcdoc, same origin and the console's CSP) and loads only the console's assets.
 */
export class TpcFlowPreview extends LitElement {
  static override properties = {
    flow: { attribute: false },
    profile: { attribute: false },
    body: { attribute: false },
    _locale: { state: true },
    _sensors: { state: true },
    _errors: { state: true },
    _step: { state: true },
  };
  declare flow: HelpFlow | undefined;
  declare profile: DeviceProfile | undefined;
  declare body: ContentBody | undefined;
  declare _locale: 'de' | 'en';
  declare _sensors: Record<string, SensorValue>;
  declare _errors: string[];
  declare _step: string | null;

  private readonly i18n = new LocaleController(this);
  private ready = false;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 10px;
      }
      .device {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(170px, 1fr));
        gap: 8px 12px;
        align-items: end;
      }
      .device label {
        display: grid;
        gap: 2px;
      }
      .device input:not([type='checkbox']),
      .device select {
        width: 100%;
        min-width: 0;
      }
      iframe {
        width: ${TOUCHSCREEN.width}px;
        height: ${TOUCHSCREEN.height}px;
        border: 10px solid #1d2633;
        border-radius: 14px;
        background: #fff;
        box-sizing: content-box;
      }
      .frame {
        overflow-x: auto;
      }
    `,
  ];

  constructor() {
    super();
    this._locale = 'en';
    this._sensors = {};
    this._errors = [];
    this._step = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('message', this.onMessage);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('message', this.onMessage);
    super.disconnectedCallback();
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    // Start from the profile's first value of each sensor the flow may read, keeping what staff chose.
    if (changed.has('profile') && this.profile) {
      const sensors: Record<string, SensorValue> = {};
      for (const s of this.profile.sensors) sensors[s.id] = this._sensors[s.id] ?? initial(s.type);
      this._sensors = sensors;
    }
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('flow') || changed.has('body') || changed.has('profile')) this.load();
  }

  private readonly onMessage = (event: MessageEvent): void => {
    const frame = this.frame;
    if (!frame || event.source !== frame.contentWindow || event.origin !== location.origin) return;
    if (!isStateMessage(event.data)) return;
    this._step = event.data.stepId;
    this.dispatchEvent(new FlowPreviewState(event.data.stepId, event.data.kind));
  };

  private get frame(): HTMLIFrameElement | null {
    return this.renderRoot.querySelector('iframe');
  }

  private post(message: unknown): void {
    this.frame?.contentWindow?.postMessage(message, location.origin);
  }

  /** Starts the flow again from its first step with the current settings. */
  load(): void {
    if (!this.ready || !this.flow || !this.profile) return;
    this.post({
      type: 'preview.load',
      flow: this.flow,
      profile: this.profile,
      locale: this._locale,
      sensors: this._sensors,
      errors: this._errors,
      images: this.body?.images ?? {},
    });
  }

  private readonly frameLoaded = (): void => {
    this.ready = true;
    // The preview element may not be defined yet when the frame's load fires: wait for it.
    void this.frame?.contentWindow?.customElements.whenDefined('tp-studio-preview').then(() => this.load());
  };

  private setLocale(locale: 'de' | 'en'): void {
    this._locale = locale;
    this.post({ type: 'preview.locale', locale });
  }

  private setSensor(key: string, value: SensorValue): void {
    this._sensors = { ...this._sensors, [key]: value };
    this.post({ type: 'preview.device', sensors: this._sensors, errors: this._errors });
  }

  private setErrors(text: string): void {
    this._errors = text
      .split(/[\s,]+/)
      .map((c) => c.trim())
      .filter(Boolean);
    this.post({ type: 'preview.device', sensors: this._sensors, errors: this._errors });
  }

  protected override render() {
    const t = this.i18n.t;
    const profile = this.profile;
    const srcdoc = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><script type="module" src="/assets/${__TP_STUDIO_PREVIEW__}"></script></head><body><tp-studio-preview></tp-studio-preview></body></html>`;
    return html`
      <div class="device" role="group" aria-label=${t('studio.previewDevice')}>
        <label
          >${t('studio.previewLanguage')}
          <select
            id="preview-locale"
            @change=${(e: Event) => this.setLocale((e.target as HTMLSelectElement).value as 'de' | 'en')}
          >
            <option value="en" ?selected=${this._locale === 'en'}>English</option>
            <option value="de" ?selected=${this._locale === 'de'}>Deutsch</option>
          </select></label
        >
        ${profile?.sensors.map(
          (s) =>
            html`<label
              >${s.id}${s.unit ? ` (${s.unit})` : ''}
              ${
                s.type === 'boolean'
                  ? html`<input
                      type="checkbox"
                      data-sensor=${s.id}
                      .checked=${this._sensors[s.id] === true}
                      @change=${(e: Event) => this.setSensor(s.id, (e.target as HTMLInputElement).checked)}
                    />`
                  : html`<input
                      type=${s.type === 'number' ? 'number' : 'text'}
                      data-sensor=${s.id}
                      .value=${String(this._sensors[s.id] ?? '')}
                      @change=${(e: Event) => {
                        const raw = (e.target as HTMLInputElement).value;
                        this.setSensor(s.id, s.type === 'number' ? Number(raw) : raw);
                      }}
                    />`
              }</label
            >`,
        )}
        <label
          >${t('studio.previewErrors')}
          <input
            id="preview-errors"
            .value=${this._errors.join(' ')}
            @change=${(e: Event) => this.setErrors((e.target as HTMLInputElement).value)}
        /></label>
        <button id="preview-restart" @click=${() => this.load()}>${t('studio.previewRestart')}</button>
      </div>
      <div class="frame">
        <iframe title=${t('studio.previewFrame')} srcdoc=${srcdoc} @load=${this.frameLoaded}></iframe>
      </div>
      <p class="muted" aria-live="polite">${t('studio.previewStep', { step: this._step ?? '—' })}</p>
    `;
  }
}

function initial(type: string): SensorValue {
  return type === 'boolean' ? false : type === 'number' ? 0 : '';
}

customElements.define('tpc-flow-preview', TpcFlowPreview);
declare global {
  interface HTMLElementTagNameMap {
    'tpc-flow-preview': TpcFlowPreview;
  }
}
