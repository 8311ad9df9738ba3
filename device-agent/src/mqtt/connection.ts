import {
  MqttClient,
  type IClientOptions,
  type IClientPublishOptions,
  type IConnackPacket,
  type IPublishPacket,
} from 'mqtt';

type QoS = IClientPublishOptions['qos'] & number;
import {
  backoffDelay,
  deviceTopic,
  encode,
  ErrorCode,
  header,
  newId,
  presenceMessage,
  topicMatches,
  type PresenceMessage,
} from '@touchpoint/protocol';
import type { EventBus } from '../event-bus.js';
import type { AgentEvents } from '../agent-events.js';
import type { Extension } from '../extension.js';
import type { Logger } from '../logger.js';

import { openBrokerStream, parseBrokerUrl, type TlsMaterial } from './stream.js';

export type PresenceDetails = Pick<
  PresenceMessage,
  'model' | 'agentVersion' | 'firmwareVersion' | 'profileVersion' | 'contentVersion'
>;
export type MessageHandler = (topic: string, payload: Buffer) => Promise<void> | void;

export interface ConnectionOptions {
  deviceId: string;
  brokerUrl: string;
  token: string;
  tls?: TlsMaterial;
  keepaliveS: number;
  reconnect: { minMs: number; maxMs: number; connectTimeoutMs: number };
  /** Read on every connect, so presence carries the firmware version once the MCU has told it. */
  presence: () => PresenceDetails;
  bus: EventBus<AgentEvents>;
  logger: Logger;
}

export type ConnectionState = 'idle' | 'connecting' | 'online' | 'waiting' | 'stopped';

/** CONNACK return codes of MQTT 3.1.1 [MQTT-3.2.2.3], as words a person can act on. */
const CONNACK_REASONS: Record<number, string> = {
  1: 'broker refused the protocol version',
  2: 'broker refused the client id (it must equal the device id)',
  3: 'broker unavailable',
  4: 'broker refused the device credentials (check deviceId and token)',
  5: 'device is not authorized on this broker (check deviceId and token)',
};

/**
 * The device's MQTT connection. One MqttClient per connection attempt, with
 * MQTT.js's own reconnect switched off, because every connection needs a fresh
 * connectionId in both its last will and its online presence, and because the
 * durable outbox (not MQTT.js's in-memory store) owns re-publishing.
 *
 * On every connect: subscribe to every registered filter and tell the bus (the
 * outbox replays on that); once every SUBACK is in, publish the online presence
 * (the birth). The fleet re-sends pending commands and the case status when it
 * sees the birth (issue 15), so the birth waits until the device listens.
 */
export class MqttConnection implements Extension {
  readonly name = 'connection';
  private client: MqttClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private connects = 0;
  private lastFailure = '';
  private current: ConnectionState = 'idle';
  private id: string | undefined;
  /** Whether this connection's birth went out (a refresh before it would be a birth before the SUBACKs). */
  private born = false;
  private readonly handlers = new Map<string, { qos: QoS; handler: MessageHandler }>();
  private readonly endpoint;
  private readonly presenceTopic: string;

  constructor(private readonly options: ConnectionOptions) {
    this.endpoint = parseBrokerUrl(options.brokerUrl);
    this.presenceTopic = deviceTopic(options.deviceId, 'presence');
  }

  get state(): ConnectionState {
    return this.current;
  }

  get connected(): boolean {
    return this.current === 'online';
  }

  /** Successful connects after the first one. */
  get reconnects(): number {
    return Math.max(0, this.connects - 1);
  }

  get connectionId(): string | undefined {
    return this.id;
  }

  /**
   * Register a subscription; it is (re)subscribed on every connect. One handler per filter: registering the
   * same filter again replaces it, so an extension may subscribe in every start(). Handlers are awaited before
   * the PUBACK, so keep them short (persist, then hand long work to a queue).
   *
   * Returns the handler's removal. The broker-side subscription stays: the session is persistent, and the
   * extension that registers the filter again on its next start gets what was queued meanwhile.
   */
  subscribe(topic: string, qos: QoS, handler: MessageHandler): () => void {
    const entry = { qos, handler };
    this.handlers.set(topic, entry);
    if (this.client && this.current === 'online') {
      this.client.subscribe(topic, { qos }, (err) => {
        if (err) this.options.logger.warn('subscribe failed', { topic, error: err.message });
      });
    }
    return () => {
      if (this.handlers.get(topic) === entry) this.handlers.delete(topic);
    };
  }

  start(): void {
    if (this.current !== 'idle' && this.current !== 'stopped') return;
    this.current = 'connecting';
    this.connect();
  }

  /** Publish; resolves on PUBACK for QoS 1, rejects if the connection drops first. */
  publish(topic: string, payload: string | Buffer, opts: { qos: QoS; retain?: boolean }): Promise<void> {
    const client = this.client;
    if (!client || this.current !== 'online') return Promise.reject(new Error('not connected'));
    return new Promise((resolve, reject) => {
      client.publish(topic, payload, { qos: opts.qos, retain: opts.retain ?? false }, (err) =>
        err ? reject(err) : resolve(),
      );
    });
  }

  /** Publish online presence again on the live connection (e.g. once the firmware version is known). */
  refreshPresence(): void {
    const client = this.client;
    // Before the birth there is nothing to refresh: the birth reads the presence fields when it goes out.
    if (!client || this.current !== 'online' || !this.id || !this.born) return;
    const online = encode(presenceMessage, {
      ...header(),
      deviceId: this.options.deviceId,
      state: 'online',
      connectionId: this.id,
      ...this.options.presence(),
    });
    client.publish(this.presenceTopic, online, { qos: 1, retain: true }, (err) => {
      if (err) this.options.logger.debug('presence refresh not acknowledged', { error: err.message });
    });
  }

  /** Drop the current connection and dial again at once (the `network.reconnect` action). */
  reconnectNow(reason: string): void {
    if (this.current === 'stopped' || this.current === 'idle') return;
    this.options.logger.info('reconnecting on request', { reason });
    this.attempt = 0;
    const wasOnline = this.current === 'online';
    this.teardown(true);
    this.markDown(reason, wasOnline);
    this.current = 'connecting';
    this.connect();
  }

  /** Publish offline presence and disconnect cleanly (a clean DISCONNECT discards the will [MQTT-3.1.2-10]). */
  async stop(): Promise<void> {
    const wasOnline = this.current === 'online';
    this.current = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (wasOnline && this.id) {
      const offline = encode(presenceMessage, {
        ...header(),
        deviceId: this.options.deviceId,
        state: 'offline',
        connectionId: this.id,
        ...this.options.presence(),
      });
      await new Promise<void>((resolve) => {
        const guard = setTimeout(resolve, 1_000);
        client.publish(this.presenceTopic, offline, { qos: 1, retain: true }, () => {
          clearTimeout(guard);
          resolve();
        });
      });
    }
    await new Promise<void>((resolve) => {
      const guard = setTimeout(() => {
        client.end(true);
        resolve();
      }, 1_000);
      client.end(false, {}, () => {
        clearTimeout(guard);
        resolve();
      });
    });
    this.options.bus.emit('mqtt.disconnected', { reason: 'agent stopped' });
  }

  private connect(): void {
    const { deviceId, token, keepaliveS, reconnect, logger } = this.options;
    const connectionId = newId();
    const will = encode(presenceMessage, {
      ...header(),
      deviceId,
      state: 'offline',
      connectionId,
      ...this.options.presence(),
    });
    const clientOptions: IClientOptions = {
      protocolVersion: 4,
      clientId: deviceId, // [MQTT-3.1.3-3] the broker also requires clientId == deviceId
      username: deviceId,
      password: token,
      keepalive: keepaliveS,
      // A persistent session: QoS 1 commands sent while the device is offline wait at the broker.
      clean: false,
      reconnectPeriod: 0,
      connectTimeout: reconnect.connectTimeoutMs,
      will: { topic: this.presenceTopic, payload: Buffer.from(will), qos: 1, retain: true },
      queueQoSZero: false,
      // MQTT.js otherwise has mqtt-packet build 65,536 two-byte buffers for packet ids and lengths on the
      // first write and keep them for the life of the process: ≈ 6.5 MiB of an idle agent's heap for a few
      // packets a minute (issue 13, docs/benchmarks.md "Agent idle RSS").
      writeCache: false,
    };
    const client = new MqttClient(() => openBrokerStream(this.endpoint, this.options.tls), clientOptions);
    this.client = client;
    client.handleMessage = (packet: IPublishPacket, done) => {
      this.dispatch(packet).then(
        () => done(),
        () => done(),
      );
    };
    client.on('connect', (connack: IConnackPacket) => this.onConnect(client, connectionId, connack));
    client.on('error', (err: Error & { code?: string | number }) => this.onError(client, err));
    client.on('close', () => this.onClose(client));
    logger.debug('connecting', { broker: this.options.brokerUrl, attempt: this.attempt });
  }

  private onConnect(client: MqttClient, connectionId: string, connack: IConnackPacket): void {
    if (client !== this.client) return;
    const { deviceId, logger, bus } = this.options;
    this.current = 'online';
    this.id = connectionId;
    this.attempt = 0;
    this.connects++;
    this.lastFailure = '';
    logger.info('connected to broker', {
      broker: this.options.brokerUrl,
      connectionId,
      sessionPresent: connack.sessionPresent,
      reconnects: this.reconnects,
    });
    this.born = false;
    const birth = () => {
      if (client !== this.client) return;
      this.born = true;
      const online = encode(presenceMessage, {
        ...header(),
        deviceId,
        state: 'online',
        connectionId,
        ...this.options.presence(),
      });
      client.publish(this.presenceTopic, online, { qos: 1, retain: true }, (err) => {
        if (err) logger.warn('presence publish failed', { error: err.message });
      });
    };
    let awaiting = this.handlers.size;
    if (awaiting === 0) birth();
    for (const [topic, { qos }] of this.handlers) {
      client.subscribe(topic, { qos }, (err) => {
        if (err) logger.warn('subscribe failed', { topic, error: err.message });
        if (--awaiting === 0) birth();
      });
    }
    bus.emit('mqtt.connected', { connectionId, reconnects: this.reconnects });
  }

  private onError(client: MqttClient, err: Error & { code?: string | number }): void {
    if (client !== this.client) return;
    const code = typeof err.code === 'number' ? CONNACK_REASONS[err.code] : undefined;
    this.lastFailure =
      code ??
      `${err.message}${typeof err.code === 'string' && !err.message.includes(err.code) ? ` (${err.code})` : ''}`;
  }

  private onClose(client: MqttClient): void {
    if (client !== this.client || this.current === 'stopped') return;
    const wasOnline = this.current === 'online';
    const reason =
      this.lastFailure || (wasOnline ? 'connection closed' : 'broker closed the connection during connect');
    this.teardown(true);
    this.markDown(reason, wasOnline);
    const delay = backoffDelay(this.attempt++, this.options.reconnect.minMs, this.options.reconnect.maxMs);
    const message = wasOnline ? 'lost the broker connection' : `broker unreachable at ${this.options.brokerUrl}`;
    this.options.logger.warn(`${message}: ${reason}; retrying in ${(delay / 1000).toFixed(1)} s`, {
      code: ErrorCode.LINK_DOWN,
      attempt: this.attempt,
    });
    this.current = 'waiting';
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.current !== 'waiting') return;
      this.current = 'connecting';
      this.connect();
    }, delay);
  }

  private markDown(reason: string, wasOnline: boolean): void {
    this.lastFailure = '';
    if (wasOnline) this.options.bus.emit('mqtt.disconnected', { reason });
  }

  private teardown(force: boolean): void {
    const client = this.client;
    this.client = undefined;
    if (this.current === 'online') this.current = 'connecting';
    if (!client) return;
    client.removeAllListeners('connect');
    client.removeAllListeners('close');
    client.on('error', () => {}); // a late socket error must not become an unhandled 'error' event
    client.end(force);
  }

  private async dispatch(packet: IPublishPacket): Promise<void> {
    const entry =
      this.handlers.get(packet.topic) ?? [...this.handlers].find(([filter]) => topicMatches(filter, packet.topic))?.[1];
    if (!entry) {
      this.options.logger.warn('message on an unexpected topic', {
        code: ErrorCode.TOPIC_INVALID,
        topic: packet.topic,
      });
      return;
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    try {
      await entry.handler(packet.topic, payload);
    } catch (err) {
      this.options.logger.error('message handler failed', {
        code: ErrorCode.INTERNAL,
        topic: packet.topic,
        error: (err as Error).message,
      });
    }
  }
}
