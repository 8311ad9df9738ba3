import { randomBytes } from 'node:crypto';
import { deviceTopic, receiptMessage } from '@touchpoint/protocol';
import { wallNow, waitFor } from '../clock.js';
import type { LiteClient } from './lite-client.js';
import { runOpenLoop } from './open-loop.js';
import { DiagnosticsTemplate } from './payloads.js';

/**
 * Diagnostics at a fixed rate, timed from each publish to the fleet's receipt for it (issue 15,
 * "publish → receipt p99"): what an agent's outbox waits for before it deletes a report. Open loop
 * (each message carries its scheduled time, so a stall shows in every message it delayed), QoS 1,
 * devices taken round-robin. A receipt for an id seen before (a redelivery) counts as a duplicate
 * receipt, never as a second latency.
 */

export interface PacedParams {
  /** Messages per second from this process. */
  rate: number;
  /** Messages sent before the measured ones (their latencies are not kept). */
  warmup: number;
  /** Measured messages. */
  count: number;
  runTag: string;
  /** How long to wait after the last send for the outstanding receipts. */
  drainMs: number;
}

export interface PacedResult {
  sent: number;
  pubacked: number;
  receipted: number;
  duplicateReceipts: number;
  /** Sent ids never receipted within the drain. */
  missing: number;
  /** ms from scheduled send to receipt, for the measured messages. */
  latencies: number[];
  maxLagMs: number;
  firstSentAt: number;
  lastReceiptAt: number;
  /** The tag in every id this run sent (with a random suffix), so the harness counts exactly these in the store. */
  runTag: string;
}

/** The id DiagnosticsTemplate wrote into a payload: the first `"id":"…"` of the JSON. */
function idOf(payload: Buffer): string {
  const text = payload.toString('utf8', 0, 120);
  const at = text.indexOf('"id":"') + 6;
  return text.slice(at, text.indexOf('"', at));
}

const listening = new WeakSet<LiteClient>();
/** Where receipts go while a paced run is under way (one run at a time per process). */
let receiptSink: ((ids: readonly string[]) => void) | undefined;

/**
 * Routes each client's receipts to `onIds` until the next call, subscribing it to its receipt topic
 * the first time. Other messages go to the handler the client had (the stub agent's, for commands).
 */
export async function listenForReceipts(
  clients: readonly LiteClient[],
  onIds: (ids: readonly string[]) => void,
): Promise<void> {
  receiptSink = onIds;
  for (const client of clients) {
    if (listening.has(client)) continue;
    const topic = deviceTopic(client.clientId, 'receipt');
    const previous = client.onPublish;
    client.onPublish = (msg) => {
      if (msg.topic !== topic) return previous?.(msg);
      const parsed = receiptMessage.safeParse(JSON.parse(msg.payload.toString()));
      if (parsed.success) receiptSink?.(parsed.data.ids);
    };
    const granted = await client.subscribe(topic, 0);
    if (granted > 1) throw new Error(`receipt subscription refused for ${client.clientId}`);
    listening.add(client);
  }
}

export async function pacedIngest(clients: readonly LiteClient[], p: PacedParams): Promise<PacedResult> {
  if (clients.length === 0) throw new Error('no devices connected in this load generator');
  const runTag = `${p.runTag}${randomBytes(2).toString('hex')}`;
  const templates = clients.map((c) => new DiagnosticsTemplate(c.clientId, runTag));
  const scheduled = new Map<string, { at: number; measured: boolean }>();
  const seen = new Set<string>();
  const latencies: number[] = [];
  let receipted = 0;
  let duplicateReceipts = 0;
  let pubacked = 0;
  let lastReceiptAt = 0;
  await listenForReceipts(clients, (receiptIds) => {
    const at = wallNow();
    for (const id of receiptIds) {
      if (seen.has(id)) {
        duplicateReceipts++;
        continue;
      }
      const sent = scheduled.get(id);
      if (!sent) continue;
      seen.add(id);
      scheduled.delete(id);
      receipted++;
      lastReceiptAt = at;
      if (sent.measured) latencies.push(at - sent.at);
    }
  });
  const total = p.warmup + p.count;
  const onAck = () => pubacked++;
  let firstSentAt = 0;
  const loop = await runOpenLoop(p.rate, total, (i, scheduledAt) => {
    if (i === 0) firstSentAt = scheduledAt;
    const k = i % clients.length;
    const client = clients[k]!;
    const tpl = templates[k]!;
    const payload = tpl.next();
    const id = idOf(payload);
    scheduled.set(id, { at: scheduledAt, measured: i >= p.warmup });
    if (!client.isClosed) client.publishRaw(tpl.topic, payload, 1, false, onAck);
  });
  await waitFor(() => scheduled.size === 0, p.drainMs, 20);
  return {
    sent: total,
    pubacked,
    receipted,
    duplicateReceipts,
    missing: scheduled.size,
    latencies,
    maxLagMs: loop.maxLagMs,
    firstSentAt,
    lastReceiptAt,
    runTag,
  };
}
