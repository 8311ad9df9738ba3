import { ErrorCode, newId, type HelpCaseState } from '@touchpoint/protocol';
import type { AgentEvents } from '../../agent-events.js';
import type { EventBus } from '../../event-bus.js';
import type { FlowSession } from '../../help/session.js';
import type { Logger } from '../../logger.js';
import type { MqttConnection } from '../../mqtt/connection.js';
import type { Reporter } from '../../outbox/reporter.js';
import type { DiagnosticsExtension } from '../diagnostics/diagnostics-extension.js';
import type { CaseTracker } from './case-tracker.js';

export interface CaseOpenerOptions {
  reporter: Pick<Reporter, 'case'>;
  connection: Pick<MqttConnection, 'connected'>;
  diagnostics: Pick<DiagnosticsExtension, 'build'>;
  cases: CaseTracker;
  logger: Logger;
  now: () => number;
  /** Told `case.opened`, so the customer's support history lists what they shared (issue 16, receipts). */
  bus?: Pick<EventBus<AgentEvents>, 'emit'>;
}

/**
 * Opens a support case after the customer consented (the consent sheet lists
 * exactly this: the diagnostics snapshot and this help session). A running
 * session ends as escalated first, so the trace says why.
 */
export async function openCase(
  options: CaseOpenerOptions,
  session: FlowSession | undefined,
  locale: string,
  reason?: string,
): Promise<HelpCaseState> {
  const { logger, reporter, cases, now } = options;
  if (session && session.state.outcome === null) {
    const escalated = await session.escalate('customer_request');
    if (!escalated.ok)
      logger.warn('could not escalate the help session', { code: escalated.code, reason: escalated.reason });
  }
  const trace = session ? session.trace.slice(-1000) : [];
  const lastOutcome = [...trace].reverse().find((e) => e.kind === 'outcome');
  const caseReason = reason ?? (lastOutcome?.kind === 'outcome' ? lastOutcome.reason : undefined) ?? 'customer_request';
  const diagnostics = await options.diagnostics.build('case').catch((err: unknown) => {
    logger.warn('no diagnostics for the case', { code: ErrorCode.MCU_ERROR, error: (err as Error).message });
    return undefined;
  });
  const at = now();
  const caseId = newId();
  const message = reporter.case(
    {
      caseId,
      reason: caseReason,
      ...(session ? { flowId: session.state.flow.id, sessionId: session.state.sessionId } : {}),
      locale,
      trace,
      ...(diagnostics ? { diagnostics } : {}),
      consent: { diagnostics: true, helpSession: true, at },
    },
    at,
  );
  logger.info('support case queued', { caseId, reason: caseReason, traceEntries: trace.length });
  options.bus?.emit('case.opened', {
    caseId,
    at,
    errors: diagnostics?.mcu.errors ?? [],
    sensors: Object.keys(diagnostics?.mcu.sensors ?? {}),
  });
  return cases.opened(caseId, message.id, options.connection.connected, at);
}
