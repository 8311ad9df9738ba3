import { backoffDelay, decode, deviceTopic, receiptMessage } from '@touchpoint/protocol';
import type { AgentEvents } from '../agent-events.js';
import type { EventBus } from '../event-bus.js';
import { ExtensionBase } from '../extension-base.js';
import type { ExtensionContext } from '../extension-context.js';
import type { Logger } from '../logger.js';
import type { MqttConnection } from '../mqtt/connection.js';
import type { Outbox } from './outbox.js';

export interface OutboxPublisherOptions {
  deviceId: string;
  outbox: Outbox;
  connection: MqttConnection;
  bus: EventBus<AgentEvents>;
  /** Reports sent and not yet receipted, at most. */
  maxInflight: number;
  /** First wait for a receipt before the unreceipted reports go again; it doubles (with jitter) up to 16 times. */
  receiptTimeoutMs: number;
  logger: Logger;
}

/** A silent fleet's wait grows to this many first waits, so a backlog is not fed a re-send every round. */
const MAX_WAIT_FACTOR = 16;

/**
 * Drains the outbox over the live connection: QoS 1, in seq order, with at
 * most `maxInflight` reports out without a receipt. MQTT keeps publish order on
 * one connection [MQTT-4.6.0-2], so order on the wire is outbox order.
 *
 * An entry goes only when the fleet's receipt names it (issue 15): the PUBACK
 * says the MQTT engine has the report, not that the fleet stored it. When the
 * oldest report out has no receipt within the wait (a fleet worker died, the
 * store is down, a QoS 0 receipt was lost), or on every new connection, every
 * unreceipted report goes again from the oldest; the fleet stores each once by
 * message id and receipts the duplicates, so the device can delete them.
 */
export class OutboxPublisher extends ExtensionBase {
  readonly name = 'outbox-publisher';
  private cancelWait: (() => void) | undefined;
  private context: ExtensionContext | undefined;
  /** Waits in a row that ended without a receipt: the next wait is longer. */
  private silentRounds = 0;

  constructor(private readonly options: OutboxPublisherOptions) {
    super();
  }

  protected onStart(context: ExtensionContext): void {
    const { bus, outbox, connection, deviceId, logger } = this.options;
    this.context = context;
    context.subscribe(connection, deviceTopic(deviceId, 'receipt'), 0, (_topic: string, payload: Buffer) =>
      this.onReceipt(payload),
    );
    context.on(bus, 'mqtt.connected', () => {
      this.disarm();
      outbox.rewind();
      this.silentRounds = 0;
      if (outbox.depth > 0) logger.info('replaying outbox', { depth: outbox.depth });
      this.pump();
    });
    context.on(bus, 'mqtt.disconnected', () => this.disarm());
    context.add(outbox.onEnqueue(() => this.pump()));
    if (connection.connected) this.pump();
  }

  protected override onStop(): void {
    this.disarm();
    this.context = undefined;
  }

  /** Fill the window of unreceipted reports. Safe to call any time; it does nothing while offline. */
  pump(): void {
    const { outbox, connection, maxInflight, logger } = this.options;
    if (!connection.connected) return;
    const entries = outbox.take(maxInflight - outbox.outstanding);
    for (const entry of entries) {
      connection.publish(entry.topic, entry.payload, { qos: 1 }).catch((err: Error) => {
        logger.debug('publish not acknowledged; kept for a re-send', { seq: entry.seq, error: err.message });
      });
    }
    if (!this.cancelWait) this.arm();
  }

  private onReceipt(payload: Buffer): void {
    const { outbox, bus, logger } = this.options;
    const receipt = decode(receiptMessage, payload);
    if (!receipt.ok) {
      logger.warn('receipt refused', { code: receipt.code, reason: receipt.reason });
      return;
    }
    const { ids, refused = [] } = receipt.value;
    for (const entry of outbox.settle(ids)) bus.emit('report.delivered', entry);
    const codes = new Map(refused.map((r) => [r.id, r.code]));
    for (const entry of outbox.settle([...codes.keys()])) {
      // Sending it again would be refused again; the fleet quarantined it with this code.
      logger.warn('the fleet refused a report; deleted from the outbox', {
        kind: entry.kind,
        id: entry.messageId,
        code: codes.get(entry.messageId),
      });
    }
    // The fleet answers: wait afresh for the (new) oldest report out, from its first wait.
    this.silentRounds = 0;
    this.disarm();
    this.pump();
  }

  /** Wait for the oldest report out; re-send everything unreceipted if its receipt does not come. */
  private arm(): void {
    const { outbox, receiptTimeoutMs } = this.options;
    const sentAt = outbox.oldestSentAt;
    if (this.cancelWait || !this.context || sentAt === undefined) return;
    const wait = backoffDelay(this.silentRounds, receiptTimeoutMs, receiptTimeoutMs * MAX_WAIT_FACTOR);
    this.cancelWait = this.context.after(Math.max(0, sentAt + wait - Date.now()), () => {
      this.cancelWait = undefined;
      this.resend(wait);
    });
  }

  private disarm(): void {
    this.cancelWait?.();
    this.cancelWait = undefined;
  }

  private resend(waitedMs: number): void {
    const { outbox, connection, logger } = this.options;
    if (!connection.connected || outbox.outstanding === 0) return;
    this.silentRounds++;
    logger.info('no receipt from the fleet; sending the unreceipted reports again', {
      outstanding: outbox.outstanding,
      depth: outbox.depth,
      waitedMs,
    });
    outbox.rewind();
    this.pump();
  }
}
