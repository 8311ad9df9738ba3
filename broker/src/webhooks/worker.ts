import { backoffDelay, type WebhookKind } from '@touchpoint/protocol';
import type { Counters } from '../counters.js';
import type { Logger } from '../logger.js';
import type { DeliveryQueue, DueDelivery } from './deliveries.js';
import type { WebhookEndpoints } from './endpoints.js';
import type { DeliverySink } from './sink.js';

export interface WorkerOptions {
  /** Attempts in flight at once, over all endpoints. */
  concurrency: number;
  /** Attempts in flight at once for one endpoint: 1 keeps its events in order, and one slow receiver takes one slot. */
  perEndpoint: number;
  /** One attempt's limit; a receiver slower than this has failed this attempt. */
  timeoutMs: number;
  /** Attempts before a delivery goes to the dead-letter list. */
  maxAttempts: number;
  /** The back-off between attempts: protocol's backoffDelay from this to this. */
  backoffMinMs: number;
  backoffMaxMs: number;
  /** The longest sleep between looks at the queue (a replay or a new event wakes it at once). */
  pollMs: number;
  /** How long delivered and dead deliveries stay listed (with their attempts); pruned hourly. */
  keepDeliveredMs: number;
  keepDeadMs: number;
}

const DAY_MS = 24 * 60 * 60_000;
const PRUNE_EVERY_MS = 60 * 60_000;
/** How far a claim outlasts an attempt's timeout: time to record the attempt. */
const LEASE_MARGIN_MS = 5_000;

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  concurrency: 4,
  perEndpoint: 1,
  timeoutMs: 10_000,
  maxAttempts: 8,
  backoffMinMs: 10_000,
  // Eight attempts with this ceiling span about four hours: a receiver down for a deploy or a night's outage.
  backoffMaxMs: 60 * 60_000,
  pollMs: 5_000,
  keepDeliveredMs: 30 * DAY_MS,
  // Dead letters longer: someone has to notice them and decide on a replay.
  keepDeadMs: 90 * DAY_MS,
};

/**
 * The delivery loop (issue 17): takes due deliveries from the durable queue, attempts each with a timeout,
 * records every attempt, and schedules the next with back-off until the maximum, then dead-letters it. All
 * I/O is asynchronous with bounded concurrency, so a slow or dead receiver never holds up the broker.
 */
export class DeliveryWorker {
  private readonly inFlight = new Map<number, { endpointId: string; abort: AbortController; done: Promise<void> }>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private prunedAt = 0;

  constructor(
    private readonly queue: DeliveryQueue,
    private readonly endpoints: WebhookEndpoints,
    private readonly sinks: Record<WebhookKind, DeliverySink>,
    private readonly options: WorkerOptions,
    private readonly counters: Counters,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Looks at the queue now (a new event, a replay, an endpoint enabled). */
  wake(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fill(), 0);
    this.timer.unref();
  }

  /**
   * Aborts the attempts in flight without counting them (the broker is stopping, not the receiver failing):
   * they stay pending and are attempted again after the next start.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const f of this.inFlight.values()) f.abort.abort(new Error('broker stopping'));
    await Promise.all([...this.inFlight.values()].map((f) => f.done));
  }

  private fill(): void {
    if (this.stopped) return;
    // Due rows left waiting for a busy endpoint: the next look is when an attempt ends (it wakes the worker),
    // not at once, which would spin while that attempt runs.
    let leftWaiting = false;
    try {
      const now = Date.now();
      if (now - this.prunedAt >= PRUNE_EVERY_MS) {
        this.prunedAt = now;
        const pruned = this.queue.prune(now - this.options.keepDeliveredMs, now - this.options.keepDeadMs);
        if (pruned > 0) this.counters.inc('webhook.pruned', pruned);
      }
      const free = this.options.concurrency - this.inFlight.size;
      if (free > 0) {
        const perEndpoint = new Map<string, number>();
        for (const f of this.inFlight.values()) perEndpoint.set(f.endpointId, (perEndpoint.get(f.endpointId) ?? 0) + 1);
        // Asks for more than the free slots: rows of a busy endpoint are skipped for others' rows.
        const ids = new Set(this.inFlight.keys());
        let started = 0;
        for (const d of this.queue.due(Date.now(), this.options.concurrency * 4, ids)) {
          const busy = perEndpoint.get(d.endpointId) ?? 0;
          if (started >= free || busy >= this.options.perEndpoint) {
            leftWaiting = true;
            continue;
          }
          // The lease outlasts the attempt's timeout; the recorded attempt then sets the real next time.
          if (!this.queue.claim(d.id, Date.now(), Date.now() + this.options.timeoutMs + LEASE_MARGIN_MS)) continue;
          perEndpoint.set(d.endpointId, busy + 1);
          this.attempt(d);
          started++;
        }
      }
    } catch (err) {
      this.counters.inc('webhook.worker_error');
      this.log.error('webhook queue could not be read', { code: 'INTERNAL', reason: (err as Error).message });
    }
    this.schedule(leftWaiting);
  }

  /** The next look at the queue: when the next delivery is due, or after pollMs when the due ones must wait. */
  private schedule(leftWaiting: boolean): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    let wait = this.options.pollMs;
    if (!leftWaiting && this.inFlight.size < this.options.concurrency) {
      try {
        const next = this.queue.nextDueAt();
        if (next !== null) wait = Math.min(wait, Math.max(0, next - Date.now()));
      } catch {
        // The next fill reports it.
      }
    }
    this.timer = setTimeout(() => this.fill(), wait);
    this.timer.unref();
  }

  private attempt(d: DueDelivery): void {
    const abort = new AbortController();
    const done = this.run(d, abort).finally(() => {
      this.inFlight.delete(d.id);
      this.wake();
    });
    this.inFlight.set(d.id, { endpointId: d.endpointId, abort, done });
  }

  private async run(d: DueDelivery, abort: AbortController): Promise<void> {
    const endpoint = this.endpoints.get(d.endpointId);
    if (!endpoint) return; // deleted since it was queued; its deliveries went with it
    const started = Date.now();
    const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(this.options.timeoutMs)]);
    const outcome = await this.sinks[endpoint.kind].deliver(endpoint, d, signal).catch((err: unknown) => ({
      delivered: false,
      statusCode: null,
      error: (err as Error).message,
    }));
    if (abort.signal.aborted) {
      // Stopping: not the receiver's failure. Given back due now, so the next start attempts it at once.
      try {
        this.queue.release(d.id, Date.now());
      } catch (err) {
        this.log.warn('webhook delivery could not be given back', { delivery: d.id, reason: (err as Error).message });
      }
      return;
    }
    const now = Date.now();
    const attempt = d.attempts + 1;
    const retryAt =
      outcome.delivered || attempt >= this.options.maxAttempts
        ? null
        : now + backoffDelay(attempt - 1, this.options.backoffMinMs, this.options.backoffMaxMs);
    try {
      this.queue.recordAttempt(d.id, { ...outcome, durationMs: now - started }, outcome.delivered, retryAt, now);
    } catch (err) {
      this.log.error('webhook attempt could not be recorded', { code: 'INTERNAL', reason: (err as Error).message });
      return;
    }
    if (outcome.delivered) return this.counters.inc('webhook.delivered');
    this.counters.inc(retryAt === null ? 'webhook.dead' : 'webhook.retry');
    // The endpoint's name and the outcome only: its URL may carry a token, its secret never leaves the store.
    const fields = {
      webhook: endpoint.name,
      delivery: d.id,
      attempt,
      status: outcome.statusCode,
      reason: outcome.error,
    };
    if (retryAt === null) this.log.warn('webhook delivery dead-lettered', fields);
    else this.log.debug('webhook attempt failed', fields);
  }
}
