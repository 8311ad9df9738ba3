import type { DueDelivery } from './deliveries.js';
import type { WebhookEndpoint } from './endpoints.js';

/** What one attempt at a receiver came to; the worker adds the duration and records it. */
export interface SinkOutcome {
  delivered: boolean;
  /** The receiver's HTTP status (the last one, for a connector that makes several calls); null when none came. */
  statusCode: number | null;
  error: string | null;
}

/**
 * Where a delivery goes: a signed POST for a webhook (http-sink.ts), REST calls for a connector
 * (connectors/zammad/zammad-sink.ts). Never throws for a receiver's failure: that is an outcome. `signal`
 * aborts at the attempt's timeout or when the broker stops.
 */
export interface DeliverySink {
  deliver(endpoint: WebhookEndpoint, delivery: DueDelivery, signal: AbortSignal): Promise<SinkOutcome>;
}

/** An error as one line for the attempt log: a fetch failure's cause says more than "fetch failed". */
export function describeFailure(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timed out';
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message}: ${cause}` : (e.message ?? String(err));
}
