import {
  DEVICE_REPORTS,
  ErrorCode,
  MAX_RECEIPT_IDS,
  deviceTopic,
  header,
  messageIdOf,
  type DeviceTopicKind,
  type ParsedTopic,
  type ReceiptMessage,
  type Result,
} from '@touchpoint/protocol';
import type { Logger } from '../logger.js';
import type { Publish } from './commands.js';
import type { IngestOutcome } from './ingest.js';

const RECEIPTED: ReadonlySet<string> = new Set<DeviceTopicKind>(DEVICE_REPORTS);

interface Pending {
  ids: string[];
  refused: { id: string; code: string }[];
  /**
   * Whether this device's receipt went out (the fleet worker acks its AMQP messages only then): one promise
   * for every message in the receipt, not one per message (issue 13: the embedded broker, where nobody
   * waits on it, made and resolved one per stored report).
   */
  sent: Promise<boolean>;
  tell: (sent: boolean) => void;
}

function pending(): Pending {
  let tell!: (sent: boolean) => void;
  const sent = new Promise<boolean>((resolve) => (tell = resolve));
  return { ids: [], refused: [], sent, tell };
}

/**
 * End-to-end receipts (issue 15): once ingest has settled a device's report
 * (stored, stored before, or refused for good), the device hears it on its
 * `rcpt` topic and deletes the report from its outbox; a PUBACK alone, which a
 * clustered engine sends before any fleet worker stored the report, deletes
 * nothing. Every report a device settled in one event-loop turn (one ingest
 * group commit) shares one receipt, so receipts do not double the traffic.
 *
 * QoS 0: a lost receipt costs one re-send, which ingest sees as a duplicate
 * (idempotent by message id) and receipts again; QoS 1 would add a PUBACK per
 * receipt and queue receipts for offline devices, which re-send on reconnect
 * anyway.
 */
export class Receipts {
  private pending = new Map<string, Pending>();
  private scheduled = false;
  private closed = false;
  private sentTotal = 0;

  constructor(
    private readonly publish: Publish,
    private readonly log: Logger,
  ) {}

  /** Receipts published so far (each may carry many ids). */
  get sent(): number {
    return this.sentTotal;
  }

  /**
   * Note how ingest settled one message; call it with every result (never with a storage error: that
   * report was not kept, and the device must send it again). `messageId` spares a second parse when
   * ingest already has it; otherwise it is read from the payload, and a payload without a readable id
   * (not JSON) gets no receipt: no agent sends one.
   *
   * Resolves true once nothing more is owed to the device for this message (its receipt was published,
   * or it gets none), false when the receipt could not be published or receipts are closed; it never
   * rejects. The embedded broker ignores it; the fleet worker acks a message only on true (issue 15).
   */
  settled(topic: ParsedTopic, payload: Buffer, result: Result<IngestOutcome>, messageId?: string): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (!RECEIPTED.has(topic.kind)) return Promise.resolve(true);
    // Over its budget "for now": the report is not stored, and the device's re-send later may fit.
    if (!result.ok && result.code === ErrorCode.OVER_BUDGET) return Promise.resolve(true);
    const id = messageId ?? messageIdOf(payload);
    if (id === undefined) return Promise.resolve(true);
    let entry = this.pending.get(topic.deviceId);
    if (!entry) this.pending.set(topic.deviceId, (entry = pending()));
    if (result.ok) entry.ids.push(id);
    else entry.refused.push({ id, code: result.code });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return entry.sent;
  }

  /** Publish one receipt per device for everything settled since the last flush. */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.size === 0 || this.closed) return;
    this.pending = new Map();
    for (const [deviceId, entry] of batch) {
      const sends: Promise<boolean>[] = [];
      for (let i = 0; i < Math.max(entry.ids.length, entry.refused.length); i += MAX_RECEIPT_IDS) {
        const receipt: ReceiptMessage = { ...header(), ids: entry.ids.slice(i, i + MAX_RECEIPT_IDS) };
        const refused = entry.refused.slice(i, i + MAX_RECEIPT_IDS);
        if (refused.length > 0) receipt.refused = refused;
        this.sentTotal++;
        sends.push(
          this.publish(deviceTopic(deviceId, 'receipt'), JSON.stringify(receipt), { qos: 0, retain: false }).then(
            () => true,
            (err: unknown) => {
              // The device re-sends what stays unreceipted; nothing is lost, so a warning, not an error.
              this.log.warn('receipt not published', {
                deviceId,
                code: ErrorCode.INTERNAL,
                reason: (err as Error).message,
              });
              return false;
            },
          ),
        );
      }
      void Promise.all(sends).then((results) => entry.tell(results.every(Boolean)));
    }
  }

  /** Stop publishing (the broker is closing); unsent receipts are re-sent reports on the next connect. */
  close(): void {
    this.closed = true;
    for (const entry of this.pending.values()) entry.tell(false);
    this.pending.clear();
  }
}
