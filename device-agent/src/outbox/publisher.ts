import type { AgentEvents } from '../agent-events.js';
import type { EventBus } from '../event-bus.js';
import type { Extension } from '../extension.js';
import type { Logger } from '../logger.js';
import type { MqttConnection } from '../mqtt/connection.js';
import type { Outbox } from './outbox.js';

/**
 * Drains the outbox over the live connection: QoS 1, in seq order, with at
 * most `maxInflight` unacknowledged publishes. MQTT keeps publish order on one
 * connection [MQTT-4.6.0-2], so order on the wire is outbox order. Each new
 * connection rewinds the outbox, so nothing waits for a PUBACK that a dead
 * connection will never deliver.
 */
export class OutboxPublisher implements Extension {
  readonly name = 'outbox-publisher';
  private generation = 0;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly outbox: Outbox,
    private readonly connection: MqttConnection,
    private readonly bus: EventBus<AgentEvents>,
    private readonly maxInflight: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.unsubscribe.push(
      this.bus.on('mqtt.connected', () => {
        this.generation++;
        this.outbox.rewind();
        if (this.outbox.depth > 0) this.logger.info('replaying outbox', { depth: this.outbox.depth });
        this.pump();
      }),
      this.bus.on('mqtt.disconnected', () => {
        this.generation++;
      }),
      this.outbox.onEnqueue(() => this.pump()),
    );
    if (this.connection.connected) this.pump();
  }

  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.generation++;
  }

  /** Fill the in-flight window. Safe to call any time; it does nothing while offline. */
  pump(): void {
    if (!this.connection.connected) return;
    const generation = this.generation;
    const entries = this.outbox.take(this.maxInflight - this.outbox.inflightCount);
    for (const entry of entries) {
      this.connection.publish(entry.topic, entry.payload, { qos: 1 }).then(
        () => {
          // A PUBACK is authoritative even if the window was rewound meanwhile.
          this.outbox.ack(entry.seq);
          this.bus.emit('report.delivered', { kind: entry.kind, messageId: entry.messageId, seq: entry.seq });
          if (generation === this.generation) this.pump();
        },
        (err: Error) => {
          this.logger.debug('publish not acknowledged; kept for replay', { seq: entry.seq, error: err.message });
        },
      );
    }
  }
}
