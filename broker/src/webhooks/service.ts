import type { WebhookEvent } from '@touchpoint/protocol';
import type { Counters } from '../counters.js';
import type { Fleet } from '../fleet/fleet.js';
import type { Logger } from '../logger.js';
import type { HttpHandler } from '../http/server.js';
import { zammadInboundHandler } from '../connectors/zammad/inbound.js';
import { ZammadTickets } from '../connectors/zammad/tickets.js';
import { ZammadSink } from '../connectors/zammad/zammad-sink.js';
import { DeliveryQueue } from './deliveries.js';
import { WebhookEndpoints } from './endpoints.js';
import { watchFleetEvents } from './events.js';
import { httpSink } from './http-sink.js';
import { DEFAULT_WORKER_OPTIONS, DeliveryWorker, type WorkerOptions } from './worker.js';

export type WebhookOptions = WorkerOptions;

/**
 * Outgoing webhooks and the Zammad connector, composed (issue 17): the fleet's events go into the durable
 * queue in this process as they happen, and the worker delivers them. start-broker owns it: start() after the
 * fleet, stop() before the database closes.
 */
export class WebhookService {
  readonly endpoints: WebhookEndpoints;
  readonly queue: DeliveryQueue;
  readonly tickets: ZammadTickets;
  private readonly worker: DeliveryWorker;
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly fleet: Fleet,
    private readonly counters: Counters,
    private readonly log: Logger,
    private readonly caseUrl: (caseId: string) => string | undefined,
    options: Partial<WebhookOptions> = {},
  ) {
    this.endpoints = new WebhookEndpoints(fleet.db);
    this.queue = new DeliveryQueue(fleet.db);
    this.tickets = new ZammadTickets(fleet.db);
    this.worker = new DeliveryWorker(
      this.queue,
      this.endpoints,
      { webhook: httpSink, zammad: new ZammadSink(this.tickets) },
      { ...DEFAULT_WORKER_OPTIONS, ...options },
      counters,
      log,
    );
  }

  start(): void {
    const { live, cases, devices, staff } = this.fleet;
    this.unwatch = watchFleetEvents({ live, cases, devices, staff, caseUrl: this.caseUrl }, (e) => this.enqueue(e));
    this.worker.start();
  }

  /** Queues an event for every enabled endpoint that takes it, in one transaction, and wakes the worker. */
  enqueue(event: WebhookEvent): number {
    const targets = this.endpoints.subscribers(event.type);
    if (targets.length === 0) return 0;
    this.fleet.db.transaction(() => {
      for (const endpoint of targets) this.queue.enqueue(endpoint.id, event);
    })();
    this.counters.inc('webhook.queued', targets.length);
    this.worker.wake();
    return targets.length;
  }

  /** Queues a replay of a delivery, due now. */
  replay(deliveryId: number): number {
    const id = this.queue.replay(deliveryId);
    this.worker.wake();
    return id;
  }

  /** An endpoint was enabled or changed: its pending deliveries may be due. */
  wake(): void {
    this.worker.wake();
  }

  /** Zammad's trigger webhook into the broker (no staff session: authenticated by its own signature). */
  inboundHandler(): HttpHandler {
    return zammadInboundHandler({
      endpoints: this.endpoints,
      tickets: this.tickets,
      cases: this.fleet.cases,
      counters: this.counters,
      log: this.log,
    });
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    await this.worker.stop();
  }
}
