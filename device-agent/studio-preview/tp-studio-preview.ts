import { LitElement, css, html, nothing } from 'lit';
import type { DeviceProfile, HelpFlow, HelpScreenView, SensorValue } from '@touchpoint/protocol';
import { createFlowSession, type FlowSession } from '../src/help/session.js';
import type { HelpPort } from '../src/help/port.js';
import type { Intent } from '../ui/src/components/intent.js';
import { translator } from '../ui/src/i18n/translator.js';
import '../ui/src/screens/tp-flow-player.js';
import { shared } from '../ui/src/styles/shared.js';
import { previewInbound, type PreviewRefused, type PreviewState } from './preview-message.js';

const MIME: Record<string, string> = {
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};

/** A version's images (base64 by path) as the data URLs the preview shows. */
function imageDataUrls(images: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, base64] of Object.entries(images)) {
    const ext = path.split('.').pop()?.toLowerCase() ?? '';
    if (MIME[ext]) out[path] = `data:${MIME[ext]};base64,${base64}`;
  }
  return out;
}

/**
 * The flow studio's preview (issue 18): the agent's own flow engine (src/help/session.ts) playing a flow
 * through the touch UI's own flow player (ui/src/screens/tp-flow-player.ts), in a frame the studio sizes
 * 800×480, so a step looks and behaves exactly as on the touchscreen. The device is simulated: check
 * steps read the sensor values and error codes the staff member chose, actions succeed at once.
 */
export class TpStudioPreview extends LitElement {
  static override properties = { screen: { state: true }, locale: { state: true } };
  declare screen: HelpScreenView | undefined;
  declare locale: 'de' | 'en';

  static override styles = [
    shared,
    css`
      :host {
        display: grid;
        grid-template-rows: minmax(0, 1fr);
        height: 100vh;
        background: var(--tp-bg);
        color: var(--tp-text);
      }
    `,
  ];

  private session: FlowSession | undefined;
  private flow: HelpFlow | undefined;
  private sensors: Record<string, SensorValue> = {};
  private errors: string[] = [];
  private images: Record<string, string> = {};
  private sessions = 0;
  private profile: DeviceProfile | undefined;

  constructor() {
    super();
    this.locale = 'en';
    this.addEventListener('tp-intent', (e) => void this.act(e.intent));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('message', this.onMessage);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('message', this.onMessage);
    super.disconnectedCallback();
  }

  private readonly onMessage = (event: MessageEvent): void => {
    // Only the studio that holds this frame, on the console's own origin, drives it. `window.origin`: the
    // frame's document is the studio's srcdoc, whose location (about:srcdoc) has no origin of its own.
    if (event.source !== window.parent || event.origin !== window.origin) return;
    const parsed = previewInbound.safeParse(event.data);
    if (!parsed.success) {
      this.post({ type: 'preview.refused', reason: parsed.error.issues[0]?.message ?? 'not a preview message' });
      return;
    }
    const m = parsed.data;
    switch (m.type) {
      case 'preview.load':
        this.flow = m.flow;
        this.locale = m.locale;
        document.documentElement.lang = m.locale;
        this.sensors = m.sensors;
        this.errors = m.errors;
        this.images = imageDataUrls(m.images);
        void this.start(m.profile);
        return;
      case 'preview.device':
        this.sensors = m.sensors;
        this.errors = m.errors;
        return;
      case 'preview.locale':
        this.locale = m.locale;
        document.documentElement.lang = m.locale;
        this.session?.setLocale(m.locale);
        return;
    }
  };

  private async start(profile = this.profile): Promise<void> {
    if (!this.flow || !profile) return;
    this.profile = profile;
    const port: HelpPort = {
      readSensors: () => Promise.resolve({ ...this.sensors }),
      readErrors: () => Promise.resolve([...this.errors]),
      runAction: (_name, _params, onProgress) => {
        onProgress(100);
        return Promise.resolve({ ok: true });
      },
    };
    const session = createFlowSession({
      flow: this.flow,
      profile,
      port,
      now: () => Date.now(),
      locale: this.locale,
      sessionId: `preview-${++this.sessions}`,
      trigger: 'menu',
    });
    this.session = session;
    session.subscribe((state) => {
      if (this.session !== session) return;
      this.show(state as HelpScreenView);
    });
    this.show(session.state as HelpScreenView);
    await session.start();
  }

  private show(state: HelpScreenView): void {
    // Images come from the version being edited, not from a device.
    const image = state.kind === 'info' && state.image ? this.images[state.image] : undefined;
    this.screen = state.kind === 'info' && state.image ? { ...state, image: image ?? state.image } : state;
    this.post({
      type: 'preview.state',
      flowId: this.flow?.id ?? '',
      stepId: state.stepId,
      kind: state.kind,
      locale: this.locale,
    });
  }

  private post(message: PreviewState | PreviewRefused): void {
    window.parent.postMessage(message, window.origin);
  }

  /**
   * The taps a flow screen raises, played on the engine as the agent plays them; the app's other intents
   * (home, support case, consent, phone...) have no screen in the preview. Leaving the flow starts it again.
   */
  private async act(intent: Intent): Promise<void> {
    const s = this.session;
    if (!s) return;
    if (intent.kind === 'next') await s.next();
    else if (intent.kind === 'choose') await s.choose(intent.choiceId);
    else if (intent.kind === 'confirm') await s.confirmAction();
    else if (intent.kind === 'cancel-action') await s.cancelAction();
    else if (intent.kind === 'back') await s.back();
    else if (intent.kind === 'rate') await s.rate(intent.ces, intent.helped);
    else if (intent.kind === 'support') await s.escalate('customer asked for support');
    else if (intent.kind === 'close' || intent.kind === 'home') await this.start();
  }

  protected override render() {
    if (!this.screen) return nothing;
    return html`<tp-flow-player
      .t=${translator(this.locale)}
      locale=${this.locale}
      .screen=${this.screen}
    ></tp-flow-player>`;
  }
}

customElements.define('tp-studio-preview', TpStudioPreview);
declare global {
  interface HTMLElementTagNameMap {
    'tp-studio-preview': TpStudioPreview;
  }
}
