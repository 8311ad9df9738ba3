import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { UiLiveState } from '@touchpoint/protocol';
import type { AgentClient } from '../data/agent-client.js';

/** The device's live state (broker reachability, MCU link, sensors, active errors) as the agent pushes it. */
export class LiveStateController implements ReactiveController {
  state: UiLiveState | undefined;
  private off: (() => void) | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly client: AgentClient,
  ) {
    this.state = client.lastState;
    host.addController(this);
  }

  hostConnected(): void {
    this.off = this.client.onMessage((message) => {
      if (message.type === 'hello' || message.type === 'state') {
        this.state = message.state;
        this.host.requestUpdate();
      }
    });
  }

  hostDisconnected(): void {
    this.off?.();
    this.off = undefined;
  }
}
