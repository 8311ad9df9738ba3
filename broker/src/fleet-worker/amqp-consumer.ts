import { connect, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { ErrorCode, backoffDelay } from '@touchpoint/protocol';
import type { Counters } from '../counters.js';
import { mqttToRoutingKey, routingKeyToMqtt } from '../engine-auth/routing-key.js';
import type { Publish } from '../fleet/commands.js';
import type { IntakeSettled, ReportIntake } from '../hooks/report-intake.js';
import type { Logger } from '../logger.js';
import { INGEST_BINDINGS, INGEST_QUEUE, INGEST_QUEUE_ARGUMENTS } from './topology.js';

/** One engine node's AMQP address, without credentials (the worker logs in with the fleet's service token). */
export interface AmqpEndpoint {
  protocol: 'amqp' | 'amqps';
  hostname: string;
  port: number;
  vhost: string;
}

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

/** The log code of a lost or unreachable engine node (not a protocol error: nothing crosses to a device). */
const ENGINE_UNAVAILABLE = 'ENGINE_UNAVAILABLE';

interface Session {
  model: ChannelModel;
  channel: ConfirmChannel;
  consumerTag: string;
  /** Give this connection up and reconnect (to the next node) after the backoff. */
  drop(reason: string): void;
}

/**
 * The fleet worker's side of RabbitMQ (issue 15): one connection at a time to one of the engine's
 * nodes, one confirm channel that consumes the shared quorum queue (competing consumers, explicit
 * acks, a prefetch) and publishes receipts with publisher confirms. A message is acked only after
 * ingest committed it and its receipt was confirmed; until then the engine holds it, and a worker
 * that dies hands it to another. On a lost connection it moves to the next node after backoffDelay.
 */
export class AmqpConsumer {
  private session: Session | undefined;
  private attempt = 0;
  private next = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private idle: (() => void)[] = [];

  constructor(private readonly options: AmqpConsumerOptions) {}

  /** Receipts go out on the current channel, confirmed by the engine; without one they fail (the message is not acked). */
  readonly publish: Publish = (topic, payload) =>
    new Promise<void>((resolve, reject) => {
      const channel = this.session?.channel;
      if (!channel) return reject(new Error('not connected to the engine'));
      try {
        channel.publish(this.options.exchange, mqttToRoutingKey(topic), Buffer.from(payload), {}, (err: unknown) =>
          err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(),
        );
      } catch (err) {
        reject(err as Error);
      }
    });

  /** Connects (and keeps reconnecting) until stop(). Resolves after the first attempt, connected or not. */
  async start(): Promise<void> {
    await this.connectNext();
  }

  /** Whether a channel is consuming right now. */
  get connected(): boolean {
    return this.session !== undefined;
  }

  /** Stop consuming, let the messages in hand settle (bounded), then close: anything unacked goes back to the queue. */
  async stop(settleMs = 5_000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const session = this.session;
    if (!session) return;
    await session.channel.cancel(session.consumerTag).catch(() => undefined);
    if (this.inFlight > 0)
      await new Promise<void>((resolve) => {
        const timeout = setTimeout(resolve, settleMs);
        this.idle.push(() => (clearTimeout(timeout), resolve()));
      });
    this.session = undefined;
    await session.model.close().catch(() => undefined);
  }

  private async connectNext(): Promise<void> {
    if (this.stopped) return;
    const { endpoints, log } = this.options;
    if (this.options.ready) {
      try {
        await this.options.ready();
      } catch (err) {
        this.options.counters.inc('store.unavailable');
        log.warn('store unavailable; not consuming', { code: 'DB_UNAVAILABLE', reason: (err as Error).message });
        return this.retry();
      }
      if (this.stopped) return;
    }
    const endpoint = endpoints[this.next % endpoints.length]!;
    this.next++;
    try {
      const session = await this.open(endpoint);
      if (this.stopped) {
        // stop() came while this connection opened: it must not consume.
        this.session = undefined;
        await session.model.close().catch(() => undefined);
        return;
      }
      this.attempt = 0;
      this.options.counters.inc('amqp.connected');
      log.info('consuming', { node: `${endpoint.hostname}:${endpoint.port}`, queue: INGEST_QUEUE });
    } catch (err) {
      this.options.counters.inc('amqp.connect_failed');
      log.warn('engine node not reachable', {
        node: `${endpoint.hostname}:${endpoint.port}`,
        code: ENGINE_UNAVAILABLE,
        reason: (err as Error).message,
      });
      this.retry();
    }
  }

  private retry(): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++, this.options.backoffMinMs ?? 200, this.options.backoffMaxMs ?? 10_000);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connectNext(), delay);
  }

  private async open(endpoint: AmqpEndpoint): Promise<Session> {
    const { username, password, prefetch, exchange } = this.options;
    const model = await connect(
      { ...endpoint, username, password, heartbeat: 10 },
      { clientProperties: { connection_name: `touchpoint fleet-worker ${process.pid}` }, timeout: 10_000 },
    );
    let live = true;
    const lost = (reason: string): void => {
      if (!live || this.stopped) return;
      live = false;
      if (this.session?.model === model) this.session = undefined;
      this.options.counters.inc('amqp.connection_lost');
      this.options.log.warn('engine connection lost; reconnecting to the next node', {
        node: `${endpoint.hostname}:${endpoint.port}`,
        code: ENGINE_UNAVAILABLE,
        reason,
      });
      void model.close().catch(() => undefined);
      this.retry();
    };
    // amqplib emits 'error' before 'close'; a listener must exist or the process would crash.
    model.on('error', (err: Error) => lost(err.message));
    model.on('close', () => lost('connection closed'));
    try {
      const channel = await model.createConfirmChannel();
      channel.on('error', (err: Error) => lost(err.message));
      channel.on('close', () => lost('channel closed'));
      await channel.assertQueue(INGEST_QUEUE, { durable: true, arguments: { ...INGEST_QUEUE_ARGUMENTS } });
      for (const key of INGEST_BINDINGS) await channel.bindQueue(INGEST_QUEUE, exchange, key);
      await channel.prefetch(prefetch);
      const session: Session = { model, channel, consumerTag: '', drop: lost };
      // Set before the first delivery can arrive: receipts are published on this channel.
      this.session = session;
      const { consumerTag } = await channel.consume(INGEST_QUEUE, (msg) => this.take(session, msg), { noAck: false });
      session.consumerTag = consumerTag;
      return session;
    } catch (err) {
      live = false;
      if (this.session?.model === model) this.session = undefined;
      await model.close().catch(() => undefined);
      throw err;
    }
  }

  /** One delivery: intake (validate, store, receipt), then the ack; never throws. */
  private take(session: Session, msg: ConsumeMessage | null): void {
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
    session: Session,
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
      if (this.session !== session) return; // the channel is gone; the engine redelivers the message
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
