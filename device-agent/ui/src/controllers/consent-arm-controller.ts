import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** How long a consent sheet must have been on screen before its consent button works. */
export const ARM_DELAY_MS = 600;

/**
 * Arms a consent button (video Accept, escalation Share) only after its sheet
 * has been visible for a moment (issue 12, item 6: a tap aimed at a decoy
 * landed on a sheet that had just appeared). Hiding the sheet, or the page
 * going to the background, disarms it; showing it again, or showing it for
 * something else (another call), restarts the delay.
 * The host reflects the state as its `armed` attribute (for styling and for
 * tests to wait on) and renders the button disabled until then.
 */
export class ConsentArmController implements ReactiveController {
  armed = false;
  private showing = false;
  private counting = false;
  private subject: string | undefined;
  private countingFor: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onVisibility = () => this.evaluate();

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly delayMs = ARM_DELAY_MS,
  ) {
    host.addController(this);
  }

  /**
   * Tell the controller whether the sheet is showing, and what it asks about
   * (e.g. the call's session id); call it after each render (the host's `updated`).
   */
  track(showing: boolean, subject?: string): void {
    this.showing = showing;
    this.subject = subject;
    this.evaluate();
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.showing = false;
    this.evaluate();
  }

  private evaluate(): void {
    const visible = this.showing && this.host.isConnected && document.visibilityState === 'visible';
    if (visible === this.counting && (!visible || this.subject === this.countingFor)) return;
    this.counting = visible;
    this.countingFor = this.subject;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.set(false);
    if (visible) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.set(true);
      }, this.delayMs);
    }
  }

  private set(armed: boolean): void {
    if (armed === this.armed) return;
    this.armed = armed;
    this.host.toggleAttribute('armed', armed);
    this.host.requestUpdate();
  }
}
