import {
  chatChoicesOf,
  chatCustomerBody,
  chatStaffBody,
  ErrorCode,
  fail,
  ok,
  type ChatCustomerMessage,
  type ChatStaffBody,
  type Result,
} from '@touchpoint/protocol';
import type { SqlStore } from '../db/sql-store.js';

/** One stored chat message; `body` as validated when it came in. */
export interface ChatRecord {
  id: string;
  caseId: string;
  deviceId: string;
  from: 'customer' | 'staff';
  staffId: string | null;
  body: ChatStaffBody | Exclude<ChatCustomerMessage['body'], { kind: 'read' }>;
  at: number;
  receivedAt: number;
  expiresAt: number | null;
  answer: { choice: string; at: number } | null;
  readAt: number | null;
}

/** What storing a customer message changed: a new message, a tap on a staff message, or read marks. */
export type CustomerChange =
  | { change: 'message'; record: ChatRecord }
  | { change: 'answer'; record: ChatRecord; answered: ChatRecord }
  | { change: 'read'; count: number };

export interface StaffMessageInput {
  id: string;
  caseId: string;
  deviceId: string;
  staffId: string;
  body: ChatStaffBody;
  at: number;
  expiresAt: number | null;
}

type Row = {
  id: string;
  case_id: string;
  device_id: string;
  sender: 'customer' | 'staff';
  staff_id: string | null;
  body: string;
  sent_at: number;
  received_at: number;
  expires_at: number | null;
  answer_choice: string | null;
  answered_at: number | null;
  read_at: number | null;
};

const OPEN = ['open', 'claimed'];
/** The longest conversation a read returns; a case's chat is a conversation, not a log. */
const LIST_LIMIT = 500;

/**
 * A case's chat on the async store layer (SQLite and PostgreSQL; migration 015, issue 17 "Live chat"). Every
 * message is stored once by its id (a redelivery is a `duplicate`), in the order it arrived: the device's
 * outbox sends in order and ingest stores one message at a time, so `seq` is the customer's order.
 */
export class ChatStore {
  constructor(private readonly store: SqlStore) {}

  /**
   * A customer message from the device (ingest) or the phone: it must name a case of this device. Text and
   * images need the case open; an answer must name an answerable staff message and one of its choices.
   */
  async addCustomer(m: ChatCustomerMessage, now: number): Promise<Result<CustomerChange | 'duplicate'>> {
    const c = await this.store.first(
      this.store.q.selectFrom('cases').select(['device_id', 'status']).where('id', '=', m.caseId),
    );
    if (!c || c.device_id !== m.deviceId)
      return fail(ErrorCode.NOT_FOUND, `device ${m.deviceId} has no case ${m.caseId}`);
    const body = m.body;
    if (body.kind === 'read') {
      const count = await this.markRead(m.caseId, 'staff', body.upTo, now);
      return ok({ change: 'read', count });
    }
    if (await this.exists(m.id)) return ok('duplicate');
    if (!OPEN.includes(c.status) && body.kind !== 'answer')
      return fail(ErrorCode.CONFLICT, `case ${m.caseId} is ${c.status}: its chat is closed`);
    if (body.kind === 'answer') {
      const target = await this.get(body.replyTo);
      if (!target || target.caseId !== m.caseId || target.from !== 'staff')
        return fail(ErrorCode.NOT_FOUND, `case ${m.caseId} has no staff message ${body.replyTo}`);
      if (!chatChoicesOf(target.body as ChatStaffBody).includes(body.choice))
        return fail(ErrorCode.SCHEMA_INVALID, `choice ${body.choice} is not offered by message ${body.replyTo}`);
      if (target.answer) return fail(ErrorCode.CONFLICT, `message ${body.replyTo} was answered already`);
      // Expiry by the device's clock when it tapped: a tap queued offline in time still counts (DESIGN.md §4).
      if (target.expiresAt !== null && m.ts > target.expiresAt)
        return fail(ErrorCode.EXPIRED, `message ${body.replyTo} expired before the answer`);
    }
    await this.store.transaction(async (tx) => {
      await tx.run(
        tx.q.insertInto('case_chat').values({
          id: m.id,
          case_id: m.caseId,
          device_id: m.deviceId,
          sender: 'customer',
          staff_id: null,
          kind: body.kind,
          body: JSON.stringify(body),
          sent_at: m.ts,
          received_at: now,
          expires_at: null,
        }),
      );
      if (body.kind === 'answer')
        await tx.run(
          tx.q
            .updateTable('case_chat')
            .set({ answer_choice: body.choice, answered_at: m.ts })
            .where('id', '=', body.replyTo)
            .where('answer_choice', 'is', null),
        );
    });
    const stored = (await this.get(m.id))!;
    if (body.kind === 'answer')
      return ok({ change: 'answer', record: stored, answered: (await this.get(body.replyTo))! });
    return ok({ change: 'message', record: stored });
  }

  /** A staff message, stored before it is published (the caller checked the case and the role). */
  async addStaff(input: StaffMessageInput, now: number): Promise<ChatRecord> {
    await this.store.run(
      this.store.q.insertInto('case_chat').values({
        id: input.id,
        case_id: input.caseId,
        device_id: input.deviceId,
        sender: 'staff',
        staff_id: input.staffId,
        kind: input.body.kind,
        body: JSON.stringify(input.body),
        sent_at: input.at,
        received_at: now,
        expires_at: input.expiresAt,
      }),
    );
    return (await this.get(input.id))!;
  }

  /**
   * Marks the messages of `sender` in the case read, up to and including `upTo` (a message of that sender);
   * returns how many changed. Reading again changes nothing.
   */
  async markRead(caseId: string, sender: 'customer' | 'staff', upTo: string, now: number): Promise<number> {
    const last = await this.store.first(
      this.store.q
        .selectFrom('case_chat')
        .select('seq')
        .where('id', '=', upTo)
        .where('case_id', '=', caseId)
        .where('sender', '=', sender),
    );
    if (!last) return 0;
    return this.store.run(
      this.store.q
        .updateTable('case_chat')
        .set({ read_at: now })
        .where('case_id', '=', caseId)
        .where('sender', '=', sender)
        .where('seq', '<=', last.seq)
        .where('read_at', 'is', null),
    );
  }

  async get(id: string): Promise<ChatRecord | undefined> {
    const r = await this.store.first(this.store.q.selectFrom('case_chat').selectAll().where('id', '=', id));
    return r ? toRecord(r) : undefined;
  }

  /** The case's conversation, oldest first. */
  async list(caseId: string): Promise<ChatRecord[]> {
    const rows = await this.store.all(
      this.store.q
        .selectFrom('case_chat')
        .selectAll()
        .where('case_id', '=', caseId)
        .orderBy('seq', 'asc')
        .limit(LIST_LIMIT),
    );
    return rows.map(toRecord);
  }

  private async exists(id: string): Promise<boolean> {
    return (
      (await this.store.first(this.store.q.selectFrom('case_chat').select('id').where('id', '=', id))) !== undefined
    );
  }
}

function toRecord(r: Row): ChatRecord {
  const raw: unknown = JSON.parse(r.body);
  const body = r.sender === 'staff' ? chatStaffBody.parse(raw) : chatCustomerBody.parse(raw);
  return {
    id: r.id,
    caseId: r.case_id,
    deviceId: r.device_id,
    from: r.sender,
    staffId: r.staff_id,
    body: body as ChatRecord['body'],
    at: r.sent_at,
    receivedAt: r.received_at,
    expiresAt: r.expires_at,
    answer: r.answer_choice !== null && r.answered_at !== null ? { choice: r.answer_choice, at: r.answered_at } : null,
    readAt: r.read_at,
  };
}
