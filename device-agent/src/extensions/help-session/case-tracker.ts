import type { CaseStatusMessage, HelpCaseState } from '@touchpoint/protocol';

/**
 * Folds what the agent learns about the customer's case into the one state
 * the UI shows: queued while offline, sending, sent once the fleet's receipt
 * says it stored the case (issue 15), then its status from `case/status`.
 * Status for any other case (an older one, which the fleet re-sends on every birth) is ignored.
 */
export class CaseTracker {
  private current: HelpCaseState | null = null;
  private messageId: string | undefined;

  constructor(private readonly onChange: (state: HelpCaseState | null) => void) {}

  get state(): HelpCaseState | null {
    return this.current;
  }

  opened(caseId: string, messageId: string, online: boolean, at: number): HelpCaseState {
    this.messageId = messageId;
    this.set({ caseId, delivery: online ? 'sending' : 'queued', status: null, openedAt: at });
    return this.current as HelpCaseState;
  }

  /** The fleet's receipt named an outbox entry: it is stored. */
  delivered(messageId: string): void {
    if (this.current && messageId === this.messageId && this.current.delivery !== 'sent')
      this.set({ ...this.current, delivery: 'sent' });
  }

  /** The broker connection came up or went down. */
  connection(online: boolean): void {
    const c = this.current;
    if (!c || c.delivery === 'sent') return;
    const delivery = online ? 'sending' : 'queued';
    if (delivery !== c.delivery) this.set({ ...c, delivery });
  }

  status(message: CaseStatusMessage): void {
    const c = this.current;
    if (!c || message.caseId !== c.caseId) return;
    const next: HelpCaseState = { caseId: c.caseId, delivery: 'sent', status: message.status, openedAt: c.openedAt };
    if (message.agentName) next.agentName = message.agentName;
    else if (message.status !== 'claimed' && c.agentName) next.agentName = c.agentName;
    this.set(next);
  }

  dismiss(): void {
    this.messageId = undefined;
    if (this.current) this.set(null);
  }

  private set(state: HelpCaseState | null): void {
    this.current = state;
    this.onChange(state);
  }
}
