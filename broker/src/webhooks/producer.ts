import type { WebhookEvent } from '@touchpoint/protocol';
import type { Counters } from '../counters.js';
import type { Db } from '../db/database.js';
import type { DeliveryQueue } from './deliveries.js';
import type { WebhookEndpoints } from './endpoints.js';
import { watchFleetEvents, type EventOrigin, type EventSources } from './events.js';

/**
 * Puts the fleet's events into the durable delivery queue (issue 17), in the process where they happened: the
 * embedded broker, and in cluster mode a fleet worker (what it ingests) and an API process (its staff actions),
 * so each event is queued once (issue 15). Delivering is the DeliveryWorker's job, wherever it runs.
 */
export class WebhookProducer {
  constructor(
    private readonly db: Db,
    private readonly endpoints: WebhookEndpoints,
    private readonly queue: DeliveryQueue,
    private readonly counters: Counters,
    /** After a delivery was queued: wakes a deliverer in this process, if there is one. */
    private readonly onQueued: () => void = () => {},
  ) {}

  /** Queues an event for every enabled endpoint that takes it, in one transaction; returns how many. */
  enqueue(event: WebhookEvent): number {
    const targets = this.endpoints.subscribers(event.type);
    if (targets.length === 0) return 0;
    this.db.transaction(() => {
      for (const endpoint of targets) this.queue.enqueue(endpoint.id, event);
    })();
    this.counters.inc('webhook.queued', targets.length);
    this.onQueued();
    return targets.length;
  }

  /** Queues this process's own LiveBus events until the returned function is called (see EventOrigin). */
  watch(sources: EventSources, origin?: EventOrigin): () => void {
    return watchFleetEvents(sources, (event) => this.enqueue(event), origin);
  }
}
