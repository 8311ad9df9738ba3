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

  /** The customer's Allow or Decline for an action that needs them; the agent's pushes then update the panel. */
  async answer(commandId: string, allow: boolean): Promise<void> {
    await this.send('support.answer', { commandId, allow });
  }

  /** Allow remote control for `minutes` (0 ends it). */
  async allowRemote(minutes: number): Promise<void> {
    await this.send('support.remote', { minutes });
  }

  private async send(type: string, fields: Record<string, unknown>): Promise<void> {
    try {
      await this.client.request(type, fields);
    } catch (err) {
      // A late answer (the question timed out meanwhile) is refused: the push that closed it is already on screen.
      console.warn(`${type} refused`, err);
    }
  }

  /** The customer closes a finished action's result; a running one stays on screen. */
  dismiss(): void {
    if (this.state.action?.status === 'running') return;
    this.state = { ...this.state, action: undefined };
    this.host.requestUpdate();
  }
}
