import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { UiPhoneState } from '@touchpoint/protocol';
import type { AgentClient } from '../data/agent-client.js';

/**
 * The customer's phone as a touchpoint (issue 17): the agent pushes `phone.state` (a code to scan, a phone
 * that holds access, or none); the customer asks for a code and ends the phone's access here at any time.
 */
export class PhoneAccessController implements ReactiveController {
  state: UiPhoneState | null = null;
  pending = false;
  private off: (() => void) | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly client: AgentClient,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.off = this.client.onMessage((message) => {
      if (message.type !== 'phone.state') return;
      this.state = message.phone;
      this.host.requestUpdate();
    });
  }

  hostDisconnected(): void {
    this.off?.();
    this.off = undefined;
  }

  /** "Use my phone": the agent asks the fleet for a single-use code. */
  open(): Promise<void> {
    return this.run('phone.link');
  }

  /** Ends the phone's access (or puts away a code nobody scanned). */
  end(): Promise<void> {
    return this.run('phone.end');
  }

  private async run(type: 'phone.link' | 'phone.end'): Promise<void> {
    if (this.pending) return;
    this.pending = true;
    this.host.requestUpdate();
    try {
      await this.client.request(type);
    } catch (err) {
      // Offline: no code can be made; the header already says the device is offline.
      console.warn(`${type} refused`, err);
    } finally {
      this.pending = false;
      this.host.requestUpdate();
    }
  }
}
