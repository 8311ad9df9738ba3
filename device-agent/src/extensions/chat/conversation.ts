import {
  chatChoicesOf,
  type ChatCustomerBody,
  type ChatStaffMessage,
  type UiChatEntry,
  type UiChatStateMessage,
} from '@touchpoint/protocol';

/** The most lines the touchscreen keeps; older ones leave the screen (the case keeps them all). */
const MAX_ENTRIES = 200;

type StaffEntry = Extract<UiChatEntry, { from: 'staff' }>;
type CustomerEntry = Extract<UiChatEntry, { from: 'customer' }>;

/**
 * The open case's conversation as the touchscreen shows it (issue 17, "Live chat"): pure state, no I/O. Staff
 * messages are shown once by id (a redelivery changes nothing); the customer's go from `queued` (in the outbox)
 * to `delivered` (the fleet's receipt) to `read` (staff's read mark).
 */
export class Conversation {
  private caseId: string | null = null;
  private entries: UiChatEntry[] = [];
  private staffTyping: string | null = null;

  get openCase(): string | null {
    return this.caseId;
  }

  /** A case opened, or the fleet named the open one: a different case starts an empty conversation. */
  open(caseId: string): boolean {
    if (this.caseId === caseId) return false;
    this.caseId = caseId;
    this.entries = [];
    this.staffTyping = null;
    return true;
  }

  /** The case was resolved or closed: the chat ends. */
  close(caseId: string): boolean {
    if (this.caseId !== caseId) return false;
    this.caseId = null;
    this.entries = [];
    this.staffTyping = null;
    return true;
  }

  /** A message from `chat/staff`; false when it changes nothing (another case, a redelivery). */
  staff(m: ChatStaffMessage): boolean {
    if (m.caseId !== this.caseId) return false;
    if (m.kind === 'typing') {
      const next = m.typing ? m.from.name : null;
      if (next === this.staffTyping) return false;
      this.staffTyping = next;
      return true;
    }
    if (m.kind === 'read') return this.markCustomer(m.upTo, 'read');
    if (this.entries.some((e) => e.id === m.id)) return false;
    this.staffTyping = null;
    this.push({
      from: 'staff',
      id: m.id,
      at: m.ts,
      staffName: m.from.name,
      body: m.body,
      ...(m.expiresAt !== undefined ? { expiresAt: m.expiresAt } : {}),
    });
    return true;
  }

  /** The customer wrote (the message is in the outbox now). */
  customer(id: string, at: number, body: ChatCustomerBody): void {
    if (body.kind === 'answer') {
      const target = this.findStaff(body.replyTo);
      if (target) target.answer = body.choice;
    }
    if (body.kind !== 'read') this.push({ from: 'customer', id, at, body, state: 'queued' });
  }

  /** The fleet stored this message. */
  delivered(id: string): boolean {
    const e = this.entries.find((x): x is CustomerEntry => x.from === 'customer' && x.id === id);
    if (!e || e.state !== 'queued') return false;
    e.state = 'delivered';
    return true;
  }

  /**
   * Whether the customer may tap `choice` on staff message `replyTo` now: it must offer it, be unanswered and
   * not expired. Returns the reason when not.
   */
  canAnswer(replyTo: string, choice: string, now: number): string | undefined {
    const target = this.findStaff(replyTo);
    if (!target) return 'no such message in this chat';
    if (!chatChoicesOf(target.body).includes(choice)) return `message ${replyTo} does not offer ${choice}`;
    if (target.answer !== undefined) return 'this message was answered already';
    if (target.expiresAt !== undefined && now > target.expiresAt) return 'this question has expired';
    return undefined;
  }

  /** The newest staff message, which a read mark names; undefined when there is none. */
  get lastStaffId(): string | undefined {
    return this.entries.findLast((e) => e.from === 'staff')?.id;
  }

  get state(): UiChatStateMessage {
    return { type: 'chat.state', caseId: this.caseId, entries: this.entries, staffTyping: this.staffTyping };
  }

  private findStaff(id: string): StaffEntry | undefined {
    return this.entries.find((e): e is StaffEntry => e.from === 'staff' && e.id === id);
  }

  /** Marks the customer's messages up to and including `upTo` with `state`. */
  private markCustomer(upTo: string, state: 'read'): boolean {
    const last = this.entries.findIndex((e) => e.id === upTo);
    if (last < 0) return false;
    let changed = false;
    for (const e of this.entries.slice(0, last + 1))
      if (e.from === 'customer' && e.state !== state) {
        e.state = state;
        changed = true;
      }
    return changed;
  }

  private push(entry: UiChatEntry): void {
    this.entries.push(entry);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }
}
