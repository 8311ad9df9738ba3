import type { AgentEvents, CommandIssuer } from '../../agent-events.js';
import type { EventBus } from '../../event-bus.js';

export type ConsentOutcome = 'allowed' | 'declined' | 'no-answer' | 'stopped';

/**
 * Asks the customer before a staff command for an action that needs them runs
 * (profile `needsCustomer`, issue 16): emits `command.consent.asked` and waits
 * for the matching `command.consent.answered`, at most `waitMs`. The touch UI's
 * support panel answers, with the customer's tap or at once when they have
 * allowed remote control. No touch UI: nobody answers, and the wait ends.
 * `signal` ends the wait when the agent stops (the command is then reported
 * interrupted on the next start, never run).
 */
export function askCustomer(
  bus: EventBus<AgentEvents>,
  ask: { commandId: string; action: string; waitMs: number; now: number; issuer?: CommandIssuer | undefined },
  signal: AbortSignal,
): Promise<ConsentOutcome> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve('stopped');
    const done = (outcome: ConsentOutcome) => {
      clearTimeout(timer);
      off();
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = () => done('stopped');
    const timer = setTimeout(() => done('no-answer'), ask.waitMs);
    // Subscribed before asking: remote control answers within the emit.
    const off = bus.on('command.consent.answered', (answer) => {
      if (answer.commandId === ask.commandId) done(answer.allowed ? 'allowed' : 'declined');
    });
    signal.addEventListener('abort', onAbort);
    bus.emit('command.consent.asked', {
      commandId: ask.commandId,
      action: ask.action,
      until: ask.now + ask.waitMs,
      ...(ask.issuer ? { issuer: ask.issuer } : {}),
    });
  });
}
