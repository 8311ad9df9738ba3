import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LiveEvent } from '@touchpoint/protocol';
import { openLive, type LiveState, type LiveSubscription } from '../data/live.js';

export interface LiveControllerOptions {
  /** null: fleet-wide; a device id: that device's detail events too. */
  device: () => string | null;
  onEvent: (event: LiveEvent) => void;
  onResync?: () => void;
  onRefused?: () => void;
  /** Open only while this holds (e.g. while logged in); default always. */
  enabled?: () => boolean;
}

/**
 * A live subscription that follows its host's lifecycle: open while the host
 * is connected, closed when it leaves the page, reopened when the device
 * changes. The host re-renders on every connection-state change.
 */
export class LiveController implements ReactiveController {
  state: LiveState = 'closed';
  private subscription: LiveSubscription | undefined;
  private device: string | null | undefined;
  private connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: LiveControllerOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.connected = true;
    if (this.options.enabled?.() ?? true) this.open();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.subscription?.close();
    this.subscription = undefined;
  }

  /** Opens or closes with `enabled`, and reopens when the device it follows has changed. */
  hostUpdated(): void {
    // Closing announces the state 'closed', and Lit still updates a host that has left the page: without this
    // check that update reopened the stream, and each view left behind one (six of them stall every request
    // of the page: the browser's six connections per origin).
    if (!this.connected) return;
    const enabled = this.options.enabled?.() ?? true;
    if (!enabled) {
      if (this.subscription) this.hostDisconnected();
      return;
    }
    if (!this.subscription) this.open();
    else if (this.options.device() !== this.device) {
      this.subscription.close();
      this.open();
    }
  }

  private open(): void {
    this.device = this.options.device();
    this.subscription = openLive(this.device, {
      onEvent: (e) => this.options.onEvent(e),
      onState: (s) => {
        if (this.state === s) return;
        this.state = s;
        this.host.requestUpdate();
      },
      onResync: () => this.options.onResync?.(),
      onRefused: () => this.options.onRefused?.(),
    });
  }
}
