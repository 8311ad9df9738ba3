import {
  decode,
  deviceTopic,
  ErrorCode,
  findAction,
  header,
  mayConfirmOnPhone,
  phoneDownMessage,
  TouchpointError,
  uiPhoneEndRequest,
  uiPhoneLinkRequest,
  type DeviceProfile,
  type HelpScreenView,
  type PhoneDownMessage,
  type PhoneStep,
  type PhoneUpMessage,
  type PhoneView,
  type UiPhoneState,
} from '@touchpoint/protocol';
import type { AgentEvents } from '../../agent-events.js';
import type { EventBus } from '../../event-bus.js';
import { ExtensionBase } from '../../extension-base.js';
import type { ExtensionContext } from '../../extension-context.js';
import type { LocalServer } from '../../local-server/local-server.js';
import type { Logger } from '../../logger.js';
import type { MqttConnection } from '../../mqtt/connection.js';
import type { HelpUiTarget } from '../help-session/help-ui-routes.js';
import { ACCESS_LINK_PATH, checkPhoneLink, type PhoneLinkPolicy } from '../video/phone-link.js';

export interface PhoneAccessOptions {
  deviceId: string;
  profile: DeviceProfile;
  connection: Pick<MqttConnection, 'subscribe' | 'publish' | 'connected'>;
  localServer: Pick<LocalServer, 'handle' | 'broadcast' | 'onClient'>;
  help: HelpUiTarget;
  bus: EventBus<AgentEvents>;
  /** Which links the touchscreen may show as a code (the video hand-off's rule). */
  phoneLinks: PhoneLinkPolicy;
  logger: Logger;
  /** How long a burst of screen changes (an action's progress) is gathered into one view for the phone. */
  viewDelayMs?: number;
}

interface Access {
  id: string;
  state: UiPhoneState;
  lastSeq: number;
}

/**
 * The customer's phone as a touchpoint, on the device (issue 17). The touchscreen asks for a code, the
 * fleet answers with a single-use link bound to this device, and once a phone claims it this extension
 * sends the phone the help as the touchscreen has it (the same screen view model) and runs the phone's
 * steps on the one help session, so its checks read this device's sensors and its actions run here.
 * An action's confirmation comes from the phone only where the profile allows it (`confirmOn`).
 * The customer ends the phone's access on the touchscreen at any time; from then on its steps are
 * ignored here, whatever the fleet still relays.
 */
export class PhoneAccessExtension extends ExtensionBase {
  readonly name = 'phone-access';
  override readonly optional = true;
  private access: Access | undefined;
  private viewTimer: NodeJS.Timeout | undefined;
  /** The video call as the touchscreen has it: who calls, and the hand-off link once the fleet sent one. */
  private call: { sessionId: string; staffName: string; url: string | null } | undefined;

  constructor(private readonly o: PhoneAccessOptions) {
    super();
  }

  get state(): UiPhoneState | null {
    return this.access?.state ?? null;
  }

  protected onStart(context: ExtensionContext): void {
    const { connection, localServer, deviceId, bus } = this.o;
    context.subscribe(connection, deviceTopic(deviceId, 'phoneDown'), 1, (_topic: string, payload: Buffer) => {
      const decoded = decode(phoneDownMessage, payload);
      if (!decoded.ok)
        return this.o.logger.warn('phone message refused', { code: decoded.code, reason: decoded.reason });
      void this.onDown(decoded.value).catch((err: unknown) =>
        this.o.logger.error('phone message failed', { code: ErrorCode.INTERNAL, error: String(err) }),
      );
    });
    context.add(
      localServer.handle('phone.link', uiPhoneLinkRequest, async () => {
        if (!connection.connected)
          throw new TouchpointError(ErrorCode.CONFLICT, 'the device is offline; a phone cannot connect now');
        // Before the request goes out, so the link cannot overtake it; a phone holding access is replaced.
        this.access = undefined;
        this.setState('', { status: 'requesting' });
        await this.send({ kind: 'link.request' }).catch((err: unknown) => {
          this.clear();
          throw err;
        });
      }),
      localServer.handle('phone.end', uiPhoneEndRequest, () => this.endHere()),
      localServer.onClient((client) => client.send({ type: 'phone.state', phone: this.state })),
      () => clearTimeout(this.viewTimer),
    );
    context.on(bus, 'help.ui', () => this.viewChanged());
    context.on(bus, 'video.ui', (message) => {
      if (message.type === 'video.ring')
        this.call = { sessionId: message.sessionId, staffName: message.staffName, url: null };
      else if (message.type === 'video.handoff' && this.call?.sessionId === message.sessionId)
        this.call = { ...this.call, url: message.url };
      else if (message.type === 'video.ended' && this.call?.sessionId === message.sessionId) this.call = undefined;
      else return;
      this.viewChanged();
    });
    context.on(bus, 'mqtt.disconnected', () => {
      // The fleet ends the access of a device that goes offline; the touchscreen says so at once.
      if (this.access) this.clear();
    });
  }

  /** The customer's tap on "End phone access": the phone stops acting at once; the fleet is told. */
  private async endHere(): Promise<void> {
    const access = this.access;
    if (!access) return;
    this.clear();
    if (access.id) await this.send({ kind: 'end', accessId: access.id }).catch(() => undefined);
  }

  private async onDown(message: PhoneDownMessage): Promise<void> {
    const access = this.access;
    switch (message.kind) {
      case 'link': {
        const link = checkPhoneLink(this.o.phoneLinks, message.url, ACCESS_LINK_PATH);
        if (!link.ok) return this.o.logger.warn('phone link refused', { code: link.code, reason: link.reason });
        // Only a code the customer asked for is shown.
        if (access?.state.status !== 'requesting' && access?.state.status !== 'offered') return;
        this.setState(message.accessId, { status: 'offered', url: link.value, expiresAt: message.expiresAt });
        return;
      }
      case 'claimed':
        if (access?.id !== message.accessId) return;
        this.setState(message.accessId, { status: 'connected', expiresAt: message.expiresAt });
        this.o.logger.info('a phone holds the help access', { accessId: message.accessId });
        await this.sendView();
        return;
      case 'ended':
        if (access?.id === message.accessId) this.clear();
        return;
      case 'step':
        if (access?.id !== message.accessId || access.state.status !== 'connected') return;
        if (message.seq <= access.lastSeq) return; // a redelivery: it ran already
        access.lastSeq = message.seq;
        try {
          await this.run(message.step);
        } catch (err) {
          const code = err instanceof TouchpointError ? err.code : ErrorCode.INTERNAL;
          await this.send({
            kind: 'step.refused',
            accessId: access.id,
            seq: message.seq,
            code,
            reason: (err as Error).message.slice(0, 256),
          }).catch(() => undefined);
        }
    }
  }

  /** One step from the phone, on the same help session the touchscreen drives; its trace says `via: phone`. */
  private async run(step: PhoneStep): Promise<void> {
    const { help } = this.o;
    const act = (sessionId: string, fn: Parameters<HelpUiTarget['runner']['act']>[1]) =>
      help.runner.act(sessionId, fn, 'phone');
    switch (step.type) {
      case 'start':
        await help.startSession(step.flowId, step.locale, 'menu', undefined, 'phone');
        return;
      case 'next':
        return act(step.sessionId, (s) => s.next());
      case 'choose':
        return act(step.sessionId, (s) => s.choose(step.choiceId));
      case 'confirm':
        if (!this.confirmOnPhone(help.currentScreen))
          throw new TouchpointError(ErrorCode.NOT_AUTHORIZED, 'this action must be confirmed on the device');
        return act(step.sessionId, (s) => s.confirmAction());
      case 'cancel':
        return act(step.sessionId, (s) => s.cancelAction());
      case 'back':
        return act(step.sessionId, (s) => s.back());
      case 'rate':
        return act(step.sessionId, (s) => s.rate(step.ces, step.helped));
      case 'close':
        return help.closeSession();
    }
  }

  private confirmOnPhone(screen: HelpScreenView | null): boolean {
    if (screen?.kind !== 'action' || screen.phase !== 'confirm') return false;
    const action = findAction(this.o.profile, screen.action.name);
    return action !== undefined && mayConfirmOnPhone(action);
  }

  private view(): PhoneView {
    const { help } = this.o;
    const screen = help.currentScreen;
    const catalog = help.catalog();
    return {
      device: { name: catalog.device.name },
      flows: catalog.flows,
      // The touchscreen's image URLs point at its own loopback server; the phone shows the image's text.
      screen: screen?.kind === 'info' && screen.image ? { ...screen, image: undefined } : screen,
      confirmOnPhone: this.confirmOnPhone(screen),
      case: help.currentCase,
      call: this.call ? { staffName: this.call.staffName, url: this.call.url } : null,
    };
  }

  /** Screen changes come in bursts (an action's progress): the phone gets the latest after a short pause. */
  private viewChanged(): void {
    if (this.access?.state.status !== 'connected' || this.viewTimer) return;
    this.viewTimer = setTimeout(() => {
      this.viewTimer = undefined;
      void this.sendView();
    }, this.o.viewDelayMs ?? 100);
  }

  private async sendView(): Promise<void> {
    const access = this.access;
    if (access?.state.status !== 'connected') return;
    await this.send({ kind: 'view', accessId: access.id, view: this.view() }).catch((err: unknown) =>
      this.o.logger.warn('phone view not sent', { error: String(err) }),
    );
  }

  private setState(id: string, state: UiPhoneState): void {
    this.access = { id, state, lastSeq: this.access?.id === id ? this.access.lastSeq : -1 };
    this.o.localServer.broadcast({ type: 'phone.state', phone: state });
  }

  private clear(): void {
    this.access = undefined;
    clearTimeout(this.viewTimer);
    this.viewTimer = undefined;
    this.o.localServer.broadcast({ type: 'phone.state', phone: null });
  }

  private send(body: DistributiveOmit<PhoneUpMessage, 'v' | 'id' | 'ts'>): Promise<void> {
    return this.o.connection.publish(
      deviceTopic(this.o.deviceId, 'phoneUp'),
      JSON.stringify({ ...header(), ...body }),
      { qos: 1 },
    );
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
