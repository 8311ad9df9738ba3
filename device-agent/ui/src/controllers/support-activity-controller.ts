import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { foldSupportActivity, NO_SUPPORT_ACTIVITY, type SupportActivityState } from '../common/support-activity.js';
import type { AgentClient } from '../data/agent-client.js';

/** What support is doing on the device right now (a staff command, its progress and result) and the case's status. */
export class SupportActivityController implements ReactiveController {
  state: SupportActivityState = NO_SUPPORT_ACTIVITY;
  private off: (() => void) | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly client: AgentClient,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.off = this.client.onMessage((message) => {
      const next = foldSupportActivity(this.state, message);
      if (next === this.state) return;
      this.state = next;
      this.host.requestUpdate();
    });
  }

  hostDisconnected(): void {
    this.off?.();
    this.off = undefined;
  }

  /** The customer closes a finished action's result; a running one stays on screen. */
  dismiss(): void {
    if (this.state.action?.status === 'running') return;
    this.state = { ...this.state, action: undefined };
    this.host.requestUpdate();
  }
}
