import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { AgentMessage } from '../data/agent-messages.js';

/**
 * What the screen shows, as the inactivity timeout sees it: home (nothing to clear), away (a flow, the
 * case, the history, a sheet or a result left from the last customer) or hold (the device works, a call
 * rings or runs, support waits for the customer's answer: never cleared under their hands).
 */
export type IdleView = 'home' | 'away' | 'hold';

/** Used until the agent's `hello` says otherwise (agent config touchscreen.idleTimeoutS). */
export const DEFAULT_IDLE_TIMEOUT_S = 180;

/** What counts as the customer being there. */
const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

export interface IdleOptions {
  view(): IdleView;
  /** Goes home and clears the last customer's session from the screen. */
  reset(): void;
  /** Where taps are heard; the window in the app. */
  target?: EventTarget;
}

/**
 * The touchscreen's inactivity timeout (issue 16): after the agent's idle time without a tap, a
 * screen away from home is reset. A hold postpones it, and the full time starts again when the
 * hold ends, so a customer who watched a descale finish still has the whole time to read the result.
 */
export class IdleController implements ReactiveController {
  timeoutMs = DEFAULT_IDLE_TIMEOUT_S * 1000;
  private last = Date.now();
  private lastView: IdleView = 'home';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private off: (() => void) | undefined;
  private readonly target: EventTarget;
  private readonly onActivity = (): void => {
    this.last = Date.now();
    this.arm();
  };

  constructor(
    host: ReactiveControllerHost,
    private readonly messages: { onMessage(listener: (message: AgentMessage) => void): () => void },
    private readonly options: IdleOptions,
  ) {
    this.target = options.target ?? window;
    host.addController(this);
  }

  hostConnected(): void {
    for (const type of ACTIVITY_EVENTS)
      this.target.addEventListener(type, this.onActivity, { capture: true, passive: true });
    this.off = this.messages.onMessage((message) => {
      if (message.type !== 'hello' || message.idleTimeoutS === undefined) return;
      this.timeoutMs = message.idleTimeoutS * 1000;
      this.arm();
    });
  }

  hostDisconnected(): void {
    for (const type of ACTIVITY_EVENTS) this.target.removeEventListener(type, this.onActivity, { capture: true });
    this.off?.();
    this.off = undefined;
    this.clear();
  }

  hostUpdated(): void {
    const view = this.options.view();
    if (this.lastView === 'hold' && view !== 'hold') this.last = Date.now();
    this.lastView = view;
    this.arm();
  }

  private arm(): void {
    this.clear();
    if (this.timeoutMs <= 0 || this.options.view() === 'home') return;
    this.timer = setTimeout(() => this.fire(), Math.max(0, this.last + this.timeoutMs - Date.now()));
  }

  private fire(): void {
    this.timer = undefined;
    switch (this.options.view()) {
      case 'home':
        return;
      case 'hold':
        this.last = Date.now();
        return this.arm();
      case 'away':
        this.last = Date.now();
        this.options.reset();
        return;
    }
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
