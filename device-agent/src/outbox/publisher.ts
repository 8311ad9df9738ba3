import type { AgentEvents } from '../agent-events.js';
import type { EventBus } from '../event-bus.js';
import { ExtensionBase } from '../extension-base.js';
import type { ExtensionContext } from '../extension-context.js';
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
export class OutboxPublisher extends ExtensionBase {
  readonly name = 'outbox-publisher';
  private generation = 0;

  constructor(
    private readonly outbox: Outbox,
    private readonly connection: MqttConnection,
    private readonly bus: EventBus<AgentEvents>,
    private readonly maxInflight: number,
    private readonly logger: Logger,
  ) {
    super();
  }

  protected onStart(context: ExtensionContext): void {
    context.on(this.bus, 'mqtt.connected', () => {
      this.generation++;
      this.outbox.rewind();
      if (this.outbox.depth > 0) this.logger.info('replaying outbox', { depth: this.outbox.depth });
      this.pump();
    });
    context.on(this.bus, 'mqtt.disconnected', () => {
      this.generation++;
    });
    context.add(this.outbox.onEnqueue(() => this.pump()));
    if (this.connection.connected) this.pump();
  }

  protected override onStop(): void {
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
