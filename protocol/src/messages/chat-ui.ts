import { z } from 'zod';
import { safeId } from '../ids.js';
import { uiRequestBase } from './local-ui.js';
import { CHAT_TEXT_MAX, chatCustomerBody, chatStaffBody, chatStaffMessage } from './chat.js';

/**
 * The touchscreen's part of the live chat (issue 17), over the agent's loopback WebSocket. The agent holds the
 * conversation of the open case and pushes all of it (`chat.state`) on every change; the touchscreen sends the
 * customer's text, taps, typing and read marks as requests.
 */

/** One line of the conversation as the touchscreen shows it. */
export const uiChatEntry = z.discriminatedUnion('from', [
  z.object({
    from: z.literal('staff'),
    id: z.string().min(8).max(64),
    at: z.number().int().nonnegative(),
    staffName: z.string().max(64),
    body: chatStaffBody,
    expiresAt: z.number().int().nonnegative().optional(),
    /** The customer's tap on one of its buttons. */
    answer: z.string().max(32).optional(),
  }),
  z.object({
    from: z.literal('customer'),
    id: z.string().min(8).max(64),
    at: z.number().int().nonnegative(),
    body: chatCustomerBody,
    /** `queued`: in the outbox (the device may be offline); `delivered`: the fleet stored it; `read`: staff saw it. */
    state: z.enum(['queued', 'delivered', 'read']),
  }),
]);
export type UiChatEntry = z.infer<typeof uiChatEntry>;

export const uiChatStateMessage = z.object({
  type: z.literal('chat.state'),
  /** The open case the chat belongs to; null when none is open (the chat screen is not offered). */
  caseId: safeId.nullable(),
  entries: z.array(uiChatEntry).max(200),
  /** The staff member typing now, by name; null when nobody is. */
  staffTyping: z.string().max(64).nullable(),
});
export type UiChatStateMessage = z.infer<typeof uiChatStateMessage>;

export const uiChatSendRequest = uiRequestBase.extend({
  type: z.literal('chat.send'),
  text: z.string().trim().min(1).max(CHAT_TEXT_MAX),
});
export const uiChatAnswerRequest = uiRequestBase.extend({
  type: z.literal('chat.answer'),
  replyTo: z.string().min(8).max(64),
  choice: z.string().max(32),
});
export const uiChatTypingRequest = uiRequestBase.extend({ type: z.literal('chat.typing'), typing: z.boolean() });
/** The customer has the chat open: every staff message shown is read. */
export const uiChatReadRequest = uiRequestBase.extend({ type: z.literal('chat.read') });
/** An image the customer took, with their explicit consent to send it (the sheet asks before this request). */
export const uiChatImageRequest = uiRequestBase.extend({
  type: z.literal('chat.image'),
  image: chatCustomerBody.options[2].omit({ kind: true, consentAt: true }),
  consent: z.literal(true),
});
export type UiChatSendRequest = z.infer<typeof uiChatSendRequest>;
export type UiChatAnswerRequest = z.infer<typeof uiChatAnswerRequest>;
export type UiChatTypingRequest = z.infer<typeof uiChatTypingRequest>;
export type UiChatImageRequest = z.infer<typeof uiChatImageRequest>;

/** The staff message kinds as a type the UI can switch over. */
export type ChatStaffMessageKind = z.infer<typeof chatStaffMessage>['kind'];
