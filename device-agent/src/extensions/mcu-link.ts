import { backoffDelay, ErrorCode, type LinkState, type McuInfo } from '@touchpoint/protocol';
import type { AgentEvents } from '../agent-events.js';
import type { McuBridge, McuEvent, McuEventGap } from '../bridge/mcu-bridge.js';
import type { EventBus } from '../event-bus.js';
import { ExtensionBase } from '../extension-base.js';
import type { ExtensionContext } from '../extension-context.js';
import type { Logger } from '../logger.js';

/**
 * Owns the firmware bridge's lifecycle and forwards what the MCU says onto the
 * bus. A missing serial port is not fatal: the agent keeps running, says what
 * is wrong, and retries; the bridge reopens by itself after an unplug.
 */
export class McuLink extends ExtensionBase {
  readonly name = 'mcu-link';
  private info: McuInfo | undefined;
  private retry: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = true;
  private lastLink: LinkState = 'down';
  private gaps = 0;

  constructor(
    readonly bridge: McuBridge,
    private readonly serialPath: string,
    private readonly bus: EventBus<AgentEvents>,
    private readonly logger: Logger,
  ) {
    super();
  }

  /** Gaps in the MCU's event numbering since this agent started (issue 13). */
  get eventGaps(): number {
    return this.gaps;
  }

  /** The MCU's model, serial and firmware version, once it has answered. */
  get mcuInfo(): McuInfo | undefined {
    return this.info;
  }

  get link(): LinkState {
    return this.bridge.link;
  }

  protected async onStart(context: ExtensionContext): Promise<void> {
    this.stopped = false;
    const bridge = this.bridge;
    const onEvent = (event: McuEvent) => this.bus.emit('mcu.event', event);
    const onLink = (state: LinkState, reason?: string) => this.onLink(state, reason);
    // The bridge repairs the error list itself (it emits the missing events); the count goes into diagnostics.
    const onGap = (gap: McuEventGap) => {
      this.gaps++;
      this.logger.warn(`${gap.missed} MCU event(s) lost before event seq ${gap.seq}; errors and sensors re-read`, {
        code: ErrorCode.MCU_ERROR,
        gaps: this.gaps,
      });
    };
    bridge.on('event', onEvent);
    bridge.on('link', onLink);
    bridge.on('gap', onGap);
    context.add(
      () => bridge.off('event', onEvent),
      () => bridge.off('link', onLink),
      () => bridge.off('gap', onGap),
    );
    await this.open();
  }

  protected override async onStop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    try {
      await this.bridge.close();
    } catch (err) {
      this.logger.debug('bridge close failed', { error: (err as Error).message });
    }
  }

  private async open(): Promise<void> {
    try {
      await this.bridge.open();
      this.attempt = 0;
      if (this.bridge.link === 'up') this.onLink('up');
    } catch (err) {
      if (this.stopped) return;
      const delay = backoffDelay(this.attempt++, 1_000, 30_000);
      this.logger.warn(
        `serial port ${this.serialPath} unavailable: ${(err as Error).message}; retrying in ${(delay / 1000).toFixed(1)} s`,
        { code: ErrorCode.LINK_DOWN },
      );
      this.retry = setTimeout(() => {
        this.retry = undefined;
        void this.open();
      }, delay);
    }
  }

  private onLink(state: LinkState, reason?: string): void {
    const changed = state !== this.lastLink;
    this.lastLink = state;
    if (!changed) return;
    if (state === 'up') this.logger.info('MCU link up', { port: this.serialPath });
    else
      this.logger.warn(`MCU link ${state}${reason ? `: ${reason}` : ''}`, {
        code: ErrorCode.LINK_DOWN,
        port: this.serialPath,
      });
    this.bus.emit('mcu.link', { state, reason });
    if (state === 'up') void this.refreshInfo();
  }

  private async refreshInfo(): Promise<void> {
    try {
      const info = await this.bridge.getInfo();
      this.info = info;
      this.bus.emit('mcu.info', info);
    } catch (err) {
      this.logger.warn('could not read MCU info', { code: ErrorCode.MCU_ERROR, error: (err as Error).message });
    }
  }
}
