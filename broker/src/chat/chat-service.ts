import {
  CHAT_INTERACTIVE_TTL_MS,
  chatStaffMessage,
  deviceTopic,
  ErrorCode,
  header,
  TouchpointError,
  type ChatCustomerBody,
  type ChatStaffBody,
  type ChatStaffMessage,
  type Result,
} from '@touchpoint/protocol';
import type { AuditLog } from '../fleet/audit.js';
import type { CaseRecord } from '../fleet/cases.js';
import type { Publish } from '../fleet/commands.js';
import type { LiveBus } from '../fleet/live.js';
import type { StaffMember } from '../fleet/staff.js';
import { cannedFor, DEFAULT_CANNED, type CannedReplies } from './canned.js';
import { preview, type ChatIngest } from './chat-ingest.js';
import type { ChatRecord } from './chat-store.js';
import { ChatRateLimit, DEFAULT_STAFF_CHAT_RATE, type ChatRate } from './rate-limit.js';

export interface ChatOptions {
  canned?: CannedReplies;
  staffRate?: ChatRate;
}

/** How long the console shows "typing" after the customer's last typing signal, if the "stopped" one is lost. */
export const TYPING_SHOWN_MS = 8_000;
const OPEN = new Set(['open', 'claimed']);

/**
 * The staff side of the live chat (issue 17): staff messages and read marks are stored with the case, audited
 * (`chat.send`, `chat.read`), announced on the LiveBus and published to the device on `chat/staff` (QoS 1, not
 * retained: a device offline now gets them from its persistent session). Staff are rate-limited each.
 */
export class ChatService {
  private readonly limit: ChatRateLimit;
  private readonly canned: CannedReplies;
  /** When each case's customer last said they type (ephemeral, this process only). */
  private readonly typingAt = new Map<string, number>();

  constructor(
    private readonly ingest: ChatIngest,
    private readonly audit: AuditLog,
    private readonly live: LiveBus,
    private readonly publish: Publish,
    options: ChatOptions = {},
  ) {
    this.limit = new ChatRateLimit(options.staffRate ?? DEFAULT_STAFF_CHAT_RATE);
    this.canned = options.canned ?? DEFAULT_CANNED;
    live.on('chat', (e) => {
      if (e.from !== 'customer') return;
      if (e.change === 'typing' && e.typing) this.typingAt.set(e.caseId, e.at);
      else if (e.change === 'typing' || e.change === 'message') this.typingAt.delete(e.caseId);
    });
  }

  /** A staff message (text or interactive) on an open case: stored, audited, then sent to the device. */
  async send(
    c: CaseRecord,
    staff: StaffMember,
    body: ChatStaffBody,
    ttlMinutes?: number,
    now: number = Date.now(),
  ): Promise<ChatRecord> {
    try {
      this.mayWrite(c, staff, now);
    } catch (err) {
      // A refused message is a staff action too (DESIGN.md §3: every staff action audited).
      await this.audit.record({
        actor: staff.id,
        actorRole: staff.role,
        action: 'chat.send',
        deviceId: c.deviceId,
        target: c.id,
        outcome: 'refused',
        detail: { kind: body.kind, code: (err as TouchpointError).code },
      });
      throw err;
    }
    const expiresAt = body.kind === 'text' ? null : now + (ttlMinutes ? ttlMinutes * 60_000 : CHAT_INTERACTIVE_TTL_MS);
    const message = chatStaffMessage.parse({
      ...header(now),
      kind: 'message',
      caseId: c.id,
      from: { name: staff.displayName.slice(0, 64), role: staff.role },
      body,
      ...(expiresAt !== null ? { expiresAt } : {}),
    });
    const record = await this.ingest.store.addStaff(
      { id: message.id, caseId: c.id, deviceId: c.deviceId, staffId: staff.id, body, at: now, expiresAt },
      now,
    );
    await this.audit.record({
      actor: staff.id,
      actorRole: staff.role,
      action: 'chat.send',
      deviceId: c.deviceId,
      target: c.id,
      outcome: 'ok',
      detail: { messageId: message.id, kind: body.kind },
    });
    this.live.emit('chat', {
      caseId: c.id,
      deviceId: c.deviceId,
      from: 'staff',
      change: 'message',
      messageId: message.id,
      at: now,
      ...preview(record),
    });
    await this.down(c.deviceId, message);
    return record;
  }

  /** Staff have read the customer's messages up to `upTo`; the device shows them read. */
  async read(c: CaseRecord, staff: StaffMember, upTo: string, now: number = Date.now()): Promise<number> {
    const count = await this.ingest.store.markRead(c.id, 'customer', upTo, now);
    if (count === 0) return 0;
    await this.audit.record({
      actor: staff.id,
      actorRole: staff.role,
      action: 'chat.read',
      deviceId: c.deviceId,
      target: c.id,
      outcome: 'ok',
      detail: { upTo, count },
    });
    this.live.emit('chat', { caseId: c.id, deviceId: c.deviceId, from: 'staff', change: 'read', at: now });
    await this.down(c.deviceId, chatStaffMessage.parse({ ...header(now), kind: 'read', caseId: c.id, upTo }));
    return count;
  }

  /** Staff typing, to the device only (QoS 0: a lost one shows a dot a moment too long or short). */
  async typing(c: CaseRecord, staff: StaffMember, typing: boolean, now: number = Date.now()): Promise<void> {
    if (!OPEN.has(c.status)) return;
    const message = chatStaffMessage.parse({
      ...header(now),
      kind: 'typing',
      caseId: c.id,
      from: { name: staff.displayName.slice(0, 64), role: staff.role },
      typing,
    });
    await this.publish(deviceTopic(c.deviceId, 'chatStaff'), JSON.stringify(message), { qos: 0, retain: false });
  }

  list(caseId: string): Promise<ChatRecord[]> {
    return this.ingest.store.list(caseId);
  }

  /** Whether the case's customer is typing now (by this process's view of the live events). */
  customerTyping(caseId: string, now: number = Date.now()): boolean {
    const at = this.typingAt.get(caseId);
    return at !== undefined && now - at < TYPING_SHOWN_MS;
  }

  cannedReplies(locale: string | undefined) {
    return cannedFor(this.canned, locale);
  }

  /**
   * A customer message from the phone touchpoint (issue 17, "The phone as a full touchpoint"): the same
   * validation, rate limit (the phone's own bucket), store and live events as the device's messages, so the
   * conversation is one. The caller has checked the phone's access to the device and case.
   */
  customerFromPhone(
    deviceId: string,
    caseId: string,
    body: ChatCustomerBody,
    now: number = Date.now(),
  ): Promise<Result<'stored' | 'duplicate' | 'passed'>> {
    return this.ingest.customer({ ...header(now), deviceId, caseId, body }, now, 'phone');
  }

  private mayWrite(c: CaseRecord, staff: StaffMember, now: number): void {
    if (staff.role !== 'agent' && staff.role !== 'admin')
      throw new TouchpointError(ErrorCode.FORBIDDEN_ROLE, `role ${staff.role} may not write in the chat`);
    if (!OPEN.has(c.status))
      throw new TouchpointError(ErrorCode.CONFLICT, `case ${c.id} is ${c.status}: its chat is closed`);
    if (!this.limit.take(staff.id, now))
      throw new TouchpointError(ErrorCode.RATE_LIMITED, 'you are sending chat messages too fast; wait a moment');
  }

  private async down(deviceId: string, message: ChatStaffMessage): Promise<void> {
    await this.publish(deviceTopic(deviceId, 'chatStaff'), JSON.stringify(message), { qos: 1, retain: false });
  }
}
