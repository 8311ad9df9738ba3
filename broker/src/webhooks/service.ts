import type { Counters } from '../counters.js';
import type { Fleet } from '../fleet/fleet.js';
import type { Logger } from '../logger.js';
import type { HttpHandler } from '../http/server.js';
import { zammadInboundHandler } from '../connectors/zammad/inbound.js';
import { ZammadTickets } from '../connectors/zammad/tickets.js';
import { ZammadSink } from '../connectors/zammad/zammad-sink.js';
import { DeliveryQueue } from './deliveries.js';
import { WebhookEndpoints } from './endpoints.js';
import type { EventOrigin } from './events.js';
import { httpSink } from './http-sink.js';
import { WebhookProducer } from './producer.js';
import { DEFAULT_WORKER_OPTIONS, DeliveryWorker, type WorkerOptions } from './worker.js';

export type WebhookOptions = WorkerOptions;

/**
 * Outgoing webhooks and the Zammad connector, composed (issue 17): the fleet's events go into the durable
 * queue in this process as they happen, and the worker delivers them. start-broker and, in cluster mode,
 * start-api own it (issue 15: every API process delivers; `origin` tells it which events the live relay
 * brought from other processes, which queued them): start() after the fleet, stop() before the database closes.
 */
export class WebhookService {
  readonly endpoints: WebhookEndpoints;
  readonly queue: DeliveryQueue;
  readonly tickets: ZammadTickets;
  private readonly worker: DeliveryWorker;
  private readonly producer: WebhookProducer;
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly fleet: Fleet,
    private readonly counters: Counters,
    private readonly log: Logger,
    private readonly caseUrl: (caseId: string) => string | undefined,
    options: Partial<WebhookOptions> = {},
    private readonly origin?: EventOrigin,
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
    this.producer = new WebhookProducer(fleet.db, this.endpoints, this.queue, counters, () => this.worker.wake());
  }

  start(): void {
    const { live, cases, devices, staff } = this.fleet;
    this.unwatch = this.producer.watch({ live, cases, devices, staff, caseUrl: this.caseUrl }, this.origin);
    this.worker.start();
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
