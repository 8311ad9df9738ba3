import { z } from 'zod';
import { safeId } from '../ids.js';
import { CHAT_TEXT_MAX, chatCustomerBody, chatStaffBody } from '../messages/chat.js';
import { staffRef } from './cases.js';

/**
 * The live chat's staff API (issue 17; docs/console.md#live-chat). Every state-changing route is audited
 * (`chat.send`, `chat.read`, `chat.typing` is not: it changes nothing).
 */

/** POST /api/cases/:id/chat: a plain text or an interactive message (quick replies, flow step, fix, video). */
export const chatSendBody = z.object({
  body: chatStaffBody,
  /** Interactive messages: how long their buttons stay answerable, in minutes (default 30). */
  ttlMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
});
export type ChatSendBody = z.infer<typeof chatSendBody>;

/** POST /api/cases/:id/chat/read: staff have seen the customer's messages up to this one. */
export const chatReadBody = z.object({ upTo: z.string().min(8).max(64) });
export type ChatReadBody = z.infer<typeof chatReadBody>;
/** How many messages the read mark changed (0: they were read already). */
export const chatReadResponse = z.object({ marked: z.number().int() });

/** POST /api/cases/:id/chat/typing: staff are typing (or stopped); forwarded to the device, not stored. */
export const chatTypingBody = z.object({ typing: z.boolean() });

/** One message of a case's chat, either way. Customer read marks are not entries: they set `readAt`. */
export const chatEntryView = z.object({
  id: z.string(),
  caseId: safeId,
  deviceId: safeId,
  from: z.enum(['customer', 'staff']),
  staff: staffRef.nullable(),
  body: z.union([chatStaffBody, chatCustomerBody]),
  /** When it was written (the sender's clock), and when the fleet stored it. */
  at: z.number().int(),
  receivedAt: z.number().int(),
  expiresAt: z.number().int().nullable(),
  /** A staff message's answer: the customer's tap. */
  answer: z.object({ choice: z.string(), at: z.number().int() }).nullable(),
  /** When the other side read it; null while unread. */
  readAt: z.number().int().nullable(),
});
export type ChatEntryView = z.infer<typeof chatEntryView>;

/** GET /api/cases/:id/chat: the conversation, oldest first; `customerTyping` while the customer types. */
export const chatListResponse = z.object({ items: z.array(chatEntryView), customerTyping: z.boolean() });
export type ChatListResponse = z.infer<typeof chatListResponse>;

/** GET /api/chat/canned?locale=de: the canned replies staff pick from (configurable, en and de by default). */
export const cannedQuery = z.object({ locale: z.string().min(2).max(8).optional() });
export const cannedReply = z.object({ id: z.string().max(64), text: z.string().min(1).max(CHAT_TEXT_MAX) });
export const cannedListResponse = z.object({ locale: z.string(), items: z.array(cannedReply) });
export type CannedReply = z.infer<typeof cannedReply>;
export type CannedListResponse = z.infer<typeof cannedListResponse>;

/**
 * On the console's live channel (`type: 'chat'`) and the fleet's LiveBus: something changed in a case's chat.
 * `message` and `answer` carry the new message's id (the console refetches the conversation), `typing` who types.
 */
export const chatLiveChange = z.object({
  caseId: safeId,
  deviceId: safeId,
  change: z.enum(['message', 'answer', 'read', 'typing']),
  from: z.enum(['customer', 'staff']),
  messageId: z.string().max(64).optional(),
  /** A new message's kind, its text (an image has none) and its author (staff): what a webhook carries. */
  kind: z.string().max(32).optional(),
  text: z.string().max(CHAT_TEXT_MAX).optional(),
  staffId: z.string().max(64).optional(),
  typing: z.boolean().optional(),
  at: z.number().int(),
});
export type ChatLiveChange = z.infer<typeof chatLiveChange>;
