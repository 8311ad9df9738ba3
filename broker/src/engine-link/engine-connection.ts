import { connect, type ChannelModel, type ConfirmChannel, type Options } from 'amqplib';
import { ErrorCode, TouchpointError, backoffDelay } from '@touchpoint/protocol';
import type { Counters } from '../counters.js';
import type { Logger } from '../logger.js';

/** One engine node's AMQP address, without credentials (Touchpoint's processes log in with the fleet's service token). */
export interface AmqpEndpoint {
  protocol: 'amqp' | 'amqps';
  hostname: string;
  port: number;
  vhost: string;
}

/** The code of a lost or unreachable engine node, in logs and in the error a publish rejects with. */
export const ENGINE_UNAVAILABLE = ErrorCode.ENGINE_UNAVAILABLE;

/** A live connection to one node and its one confirm channel. */
export interface EngineSession {
  readonly model: ChannelModel;
  readonly channel: ConfirmChannel;
  /** `host:port` of the node, for logs. */
  readonly node: string;
  /** Give this connection up and reconnect (to the next node) after the backoff. */
  drop(reason: string): void;
}

export interface EngineConnectionOptions {
  endpoints: readonly AmqpEndpoint[];
  username: string;
  password: string;
  /** Shown in the engine's connection list (`rabbitmqctl list_connections client_properties`). */
  connectionName: string;
  /** Declares and consumes what this process needs on a fresh channel; a throw drops the connection. */
  setup(session: EngineSession): Promise<void>;
  /** Logged at info once `setup` is done on a node (the tests wait for it), with the node and `readyFields`. */
  readyMessage: string;
  readyFields?: Record<string, unknown>;
  /**
   * Checked before each connection: while it rejects, the process stays off the engine and tries again after
   * the backoff (a fleet worker whose store does not answer takes no messages it would only fail; issue 15).
   */
  beforeConnect?: () => Promise<void>;
  /** Called after `setup` on each node; `again` after the first time (the process was without the engine for a while). */
  onReady?: (again: boolean) => void;
  counters: Counters;
  log: Logger;
  /** Reconnect backoff bounds (protocol's backoffDelay). */
  backoffMinMs?: number;
  backoffMaxMs?: number;
}

/**
 * One AMQP 0-9-1 connection at a time to one of the engine's nodes (issue 15), shared by the fleet
 * worker and the API process: one confirm channel, set up by the caller; on a lost connection it
 * moves to the next node after protocol's backoffDelay, and sets the channel up again there.
 */
export class EngineConnection {
  private current: EngineSession | undefined;
  private attempt = 0;
  private next = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readyBefore = false;

  constructor(private readonly options: EngineConnectionOptions) {}

  /** The current session, if a channel is set up right now. */
  get session(): EngineSession | undefined {
    return this.current;
  }

  /** Connects (and keeps reconnecting) until stop(). Resolves after the first attempt, connected or not. */
  async start(): Promise<void> {
    await this.connectNext();
  }

  /**
   * Publishes on the current channel and resolves when the engine confirmed it; without a channel, or when the
   * engine refuses it, it rejects with ENGINE_UNAVAILABLE (the caller decides: a worker leaves the message
   * unacked, an API request answers 503).
   */
  publish(exchange: string, routingKey: string, payload: Buffer, properties: Options.Publish = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const channel = this.current?.channel;
      const unavailable = (reason: string) =>
        new TouchpointError(ENGINE_UNAVAILABLE, `the engine did not take the message: ${reason}`);
      if (!channel) return reject(unavailable('not connected to an engine node (reconnecting)'));
      try {
        channel.publish(exchange, routingKey, payload, properties, (err: unknown) =>
          err ? reject(unavailable(err instanceof Error ? err.message : String(err))) : resolve(),
        );
      } catch (err) {
        reject(unavailable((err as Error).message));
      }
    });
  }

  /** Stops reconnecting; `beforeClose` runs on the live session first (cancel consumers, let work settle). */
  async stop(beforeClose?: (session: EngineSession) => Promise<void>): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const session = this.current;
    if (!session) return;
    if (beforeClose) await beforeClose(session).catch(() => undefined);
    this.current = undefined;
    await session.model.close().catch(() => undefined);
  }

  private async connectNext(): Promise<void> {
    if (this.stopped) return;
    const { endpoints, log } = this.options;
    if (this.options.beforeConnect) {
      try {
        await this.options.beforeConnect();
      } catch (err) {
        this.options.counters.inc('store.unavailable');
        log.warn('store unavailable; not connecting to the engine', {
          code: 'DB_UNAVAILABLE',
          reason: (err as Error).message,
        });
        return this.retry();
      }
      if (this.stopped) return;
    }
    const endpoint = endpoints[this.next % endpoints.length]!;
    this.next++;
    const node = `${endpoint.hostname}:${endpoint.port}`;
    try {
      const session = await this.open(endpoint, node);
      if (this.stopped) {
        // stop() came while this connection opened: it must not stay.
        this.current = undefined;
        await session.model.close().catch(() => undefined);
        return;
      }
      this.attempt = 0;
      this.options.counters.inc('amqp.connected');
      log.info(this.options.readyMessage, { node, ...this.options.readyFields });
      this.options.onReady?.(this.readyBefore);
      this.readyBefore = true;
    } catch (err) {
      this.options.counters.inc('amqp.connect_failed');
      log.warn('engine node not reachable', { node, code: ENGINE_UNAVAILABLE, reason: (err as Error).message });
      this.retry();
    }
  }

  private retry(): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++, this.options.backoffMinMs ?? 200, this.options.backoffMaxMs ?? 10_000);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connectNext(), delay);
  }

  private async open(endpoint: AmqpEndpoint, node: string): Promise<EngineSession> {
    const { username, password, connectionName } = this.options;
    const model = await connect(
      { ...endpoint, username, password, heartbeat: 10 },
      { clientProperties: { connection_name: `${connectionName} ${process.pid}` }, timeout: 10_000 },
    );
    let live = true;
    const lost = (reason: string): void => {
      if (!live || this.stopped) return;
      live = false;
      if (this.current?.model === model) this.current = undefined;
      this.options.counters.inc('amqp.connection_lost');
      this.options.log.warn('engine connection lost; reconnecting to the next node', {
        node,
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
      const session: EngineSession = { model, channel, node, drop: lost };
      // Set before setup: a consumer's first delivery may publish (receipts) on this channel.
      this.current = session;
      await this.options.setup(session);
      return session;
    } catch (err) {
      live = false;
      if (this.current?.model === model) this.current = undefined;
      await model.close().catch(() => undefined);
      throw err;
    }
  }
}
