import type { ConsumeMessage } from 'amqplib';
import { ErrorCode } from '@touchpoint/protocol';
import type { Counters } from '../counters.js';
import { routingKeyToMqtt } from '../engine-auth/routing-key.js';
import {
  ENGINE_UNAVAILABLE,
  EngineConnection,
  type AmqpEndpoint,
  type EngineSession,
} from '../engine-link/engine-connection.js';
import { enginePublish } from '../engine-link/engine-publish.js';
import type { Publish } from '../fleet/commands.js';
import type { IntakeSettled, ReportIntake } from '../hooks/report-intake.js';
import type { Logger } from '../logger.js';
import { LIVE_EXCHANGE, LIVE_EXCHANGE_TYPE } from '../live-channel/topology.js';
import { INGEST_BINDINGS, INGEST_QUEUE, INGEST_QUEUE_ARGUMENTS } from './topology.js';

export interface AmqpConsumerOptions {
  endpoints: readonly AmqpEndpoint[];
  username: string;
  password: string;
  exchange: string;
  prefetch: number;
  intake: ReportIntake;
  counters: Counters;
  log: Logger;
  /** Reconnect backoff bounds (protocol's backoffDelay). */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /**
   * Resolves when the worker can store again (its database answers), rejects when it cannot. Every
   * (re)connect waits for it, so while the database is down no message is taken only to be failed:
   * each such delivery would count against the queue's delivery limit (issue 15, the PostgreSQL drill).
   */
  ready?: () => Promise<void>;
}

/**
 * The fleet worker's side of RabbitMQ (issue 15): one connection at a time to one of the engine's
 * nodes (EngineConnection), one confirm channel that consumes the shared quorum queue (competing
 * consumers, explicit acks, a prefetch) and publishes receipts with publisher confirms. A message is
 * acked only after ingest committed it and its receipt was confirmed; until then the engine holds
 * it, and a worker that dies hands it to another. It also declares the live channel's exchange,
 * where the worker tells the API processes what it stored (live-channel/).
 */
export class AmqpConsumer {
  private readonly link: EngineConnection;
  private readonly consumerTags = new WeakMap<EngineSession, string>();
  private inFlight = 0;
  private idle: (() => void)[] = [];

  constructor(private readonly options: AmqpConsumerOptions) {
    this.link = new EngineConnection({
      endpoints: options.endpoints,
      username: options.username,
      password: options.password,
      connectionName: 'touchpoint fleet-worker',
      setup: (session) => this.setup(session),
      readyMessage: 'consuming',
      readyFields: { queue: INGEST_QUEUE },
      counters: options.counters,
      log: options.log,
      backoffMinMs: options.backoffMinMs,
      backoffMaxMs: options.backoffMaxMs,
      ...(options.ready ? { beforeConnect: options.ready } : {}),
    });
    this.publish = enginePublish(this.link, options.exchange);
  }

  /** Receipts and resyncs go out on the current channel, confirmed by the engine; without one they fail (the message is not acked). */
  readonly publish: Publish;

  /** The engine connection, for the live channel's events. */
  get connection(): EngineConnection {
    return this.link;
  }

  /** Connects (and keeps reconnecting) until stop(). Resolves after the first attempt, connected or not. */
  async start(): Promise<void> {
    await this.link.start();
  }

  /** Whether a channel is consuming right now. */
  get connected(): boolean {
    return this.link.session !== undefined;
  }

  /** Stop consuming, let the messages in hand settle (bounded), then close: anything unacked goes back to the queue. */
  async stop(settleMs = 5_000): Promise<void> {
    await this.link.stop(async (session) => {
      const tag = this.consumerTags.get(session);
      if (tag) await session.channel.cancel(tag).catch(() => undefined);
      if (this.inFlight > 0)
        await new Promise<void>((resolve) => {
          const timeout = setTimeout(resolve, settleMs);
          this.idle.push(() => (clearTimeout(timeout), resolve()));
        });
    });
  }

  private async setup(session: EngineSession): Promise<void> {
    const { channel } = session;
    const { exchange, prefetch } = this.options;
    await channel.assertExchange(LIVE_EXCHANGE, LIVE_EXCHANGE_TYPE, { durable: true });
    await channel.assertQueue(INGEST_QUEUE, { durable: true, arguments: { ...INGEST_QUEUE_ARGUMENTS } });
    for (const key of INGEST_BINDINGS) await channel.bindQueue(INGEST_QUEUE, exchange, key);
    await channel.prefetch(prefetch);
    const { consumerTag } = await channel.consume(INGEST_QUEUE, (msg) => this.take(session, msg), { noAck: false });
    this.consumerTags.set(session, consumerTag);
  }

  /** One delivery: intake (validate, store, receipt), then the ack; never throws. */
  private take(session: EngineSession, msg: ConsumeMessage | null): void {
    // The engine cancelled the consumer (the queue's node went away): reconnect.
    if (msg === null) {
      session.drop('consumer cancelled by the engine');
      return;
    }
    const { counters, log, intake } = this.options;
    counters.inc('amqp.delivered');
    if (msg.fields.redelivered) counters.inc('amqp.redelivered');
    this.inFlight++;
    const topic = routingKeyToMqtt(msg.fields.routingKey);
    try {
      intake(topic, msg.content, undefined, (err, settled) => this.settled(session, msg, topic, err, settled));
    } catch (err) {
      // Nothing thrown by one message may end the worker: leave it to the engine (its delivery limit ends a poison one).
      log.error('intake failed', { topic, code: ErrorCode.INTERNAL, reason: (err as Error).message });
      this.settle();
      session.drop(`intake failed: ${(err as Error).message}`);
    }
  }

  /** After the intake: ack once the receipt is confirmed; a storage failure or an unconfirmed receipt acks nothing. */
  private settled(
    session: EngineSession,
    msg: ConsumeMessage,
    topic: string,
    err: Error | null,
    settled: IntakeSettled | undefined,
  ): void {
    const { counters, log } = this.options;
    if (err || !settled) {
      // Not stored (the database is busy or gone): leave the engine, which hands the message out again,
      // and come back after the backoff instead of spinning on redeliveries.
      this.settle();
      session.drop(`not stored: ${err?.message ?? 'ingest gave no result'}`);
      return;
    }
    void settled.receipt.then((sent) => {
      this.settle();
      if (this.link.session !== session) return; // the channel is gone; the engine redelivers the message
      if (!sent) {
        log.warn('receipt not confirmed; message left for redelivery', { topic, code: ENGINE_UNAVAILABLE });
        session.drop('receipt not confirmed');
        return;
      }
      try {
        session.channel.ack(msg);
        counters.inc(settled.disposition === 'rejected' ? 'amqp.acked_rejected' : 'amqp.acked');
      } catch (ackErr) {
        log.warn('ack failed', { code: ENGINE_UNAVAILABLE, reason: (ackErr as Error).message });
      }
    });
  }

  private settle(): void {
    this.inFlight--;
    if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
  }
}
