import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { UiBundleAskMessage } from '@touchpoint/protocol';
import type { AgentClient } from '../data/agent-client.js';

/**
 * A support bundle the customer is asked to send (issue 17): the agent's `bundle.ask` opens the question,
 * `bundle.closed` (answered here or elsewhere, or expired) ends it. Nothing is sent before `answer(true)`.
 */
export class BundleConsentController implements ReactiveController {
  ask: UiBundleAskMessage | undefined;
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
      if (message.type === 'bundle.ask') this.ask = message;
      else if (message.type === 'bundle.closed' && this.ask?.requestId === message.requestId) this.ask = undefined;
      else return;
      this.host.requestUpdate();
    });
  }

  hostDisconnected(): void {
    this.off?.();
    this.off = undefined;
  }

  async answer(send: boolean): Promise<void> {
    const ask = this.ask;
    if (!ask || this.pending) return;
    this.pending = true;
    this.host.requestUpdate();
    try {
      await this.client.request('bundle.answer', { requestId: ask.requestId, send });
    } catch (err) {
      // Refused when the question closed meanwhile (expired); its `bundle.closed` push clears the sheet.
      console.warn('bundle.answer refused', err);
    } finally {
      this.pending = false;
      if (this.ask?.requestId === ask.requestId) this.ask = undefined;
      this.host.requestUpdate();
    }
  }
}
