import {
  chatCustomerMessage,
  chatTypingMessage,
  decode,
  ErrorCode,
  fail,
  ok,
  type ChatCustomerMessage,
  type Result,
} from '@touchpoint/protocol';
import type { SqlStore } from '../db/sql-store.js';
import type { LiveBus } from '../fleet/live.js';
import { ChatStore, type ChatRecord } from './chat-store.js';
import { ChatRateLimit, DEFAULT_DEVICE_CHAT_RATE, type ChatRate } from './rate-limit.js';

/** What the customer's side of the chat may answer ingest with (the ingest outcomes it uses). */
type ChatOutcome = 'stored' | 'duplicate' | 'passed';

/**
 * The customer's side of the chat, for ingest (the embedded broker and the fleet worker alike) and the phone:
 * validated with the protocol schema, rate-limited per device, stored once by message id with its case, and
 * announced on the LiveBus (console, webhooks). A refusal is a named code: ingest's caller counts and
 * quarantines it, and the device's receipt settles it (docs/protocol.md#live-chat).
 */
export class ChatIngest {
  readonly store: ChatStore;
  private readonly limit: ChatRateLimit;

  constructor(
    sql: SqlStore,
    private readonly live: LiveBus,
    rate: ChatRate = DEFAULT_DEVICE_CHAT_RATE,
  ) {
    this.store = new ChatStore(sql);
    this.limit = new ChatRateLimit(rate);
  }

  /** A `chat` message from the device's outbox. */
  async message(deviceId: string, payload: Buffer, now: number): Promise<Result<ChatOutcome>> {
    const msg = decode(chatCustomerMessage, payload);
    if (!msg.ok) return msg;
    if (msg.value.deviceId !== deviceId)
      return fail(ErrorCode.WRONG_DEVICE, `chat message for ${msg.value.deviceId} on ${deviceId}'s topic`);
    return this.customer(msg.value, now);
  }

  /**
   * One customer message, from any touchpoint: the device's ingest above, or the phone page (`channel`
   * names the sender in the rate limit, so a phone cannot spend the device's budget or the other way round).
   */
  async customer(m: ChatCustomerMessage, now: number, channel = 'device'): Promise<Result<ChatOutcome>> {
    // Read marks are not messages: they cost nothing, so a customer who reads never loses a message.
    if (m.body.kind !== 'read' && !this.limit.take(`${channel}:${m.deviceId}`, now))
      return fail(ErrorCode.RATE_LIMITED, `device ${m.deviceId} sends chat messages faster than its limit`);
    const stored = await this.store.addCustomer(m, now);
    if (!stored.ok) return stored;
    const change = stored.value;
    if (change === 'duplicate') return ok('duplicate');
    const base = { caseId: m.caseId, deviceId: m.deviceId, from: 'customer' as const, at: now };
    if (change.change === 'read') {
      if (change.count > 0) this.live.emit('chat', { ...base, change: 'read' });
      return ok('stored');
    }
    this.live.emit('chat', { ...base, change: change.change, messageId: m.id, ...preview(change.record) });
    return ok('stored');
  }

  /** `chat/typing`: passed to the console, never stored. */
  typing(deviceId: string, payload: Buffer, now: number): Result<ChatOutcome> {
    const msg = decode(chatTypingMessage, payload);
    if (!msg.ok) return msg;
    if (msg.value.deviceId !== deviceId)
      return fail(ErrorCode.WRONG_DEVICE, `typing for ${msg.value.deviceId} on ${deviceId}'s topic`);
    this.live.emit('chat', {
      caseId: msg.value.caseId,
      deviceId,
      from: 'customer',
      change: 'typing',
      typing: msg.value.typing,
      at: now,
    });
    return ok('passed');
  }
}

/** A message's kind and text as the live event (and so the webhook) carries them. */
export function preview(r: ChatRecord): { kind: string; text?: string; staffId?: string } {
  const b = r.body;
  const text = 'text' in b ? b.text : b.kind === 'answer' ? b.choice : undefined;
  return { kind: b.kind, ...(text !== undefined ? { text } : {}), ...(r.staffId ? { staffId: r.staffId } : {}) };
}
