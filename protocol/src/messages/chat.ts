import { z } from 'zod';
import { safeId } from '../ids.js';
import { deviceIdField, messageBase } from './base.js';

/**
 * Live chat on a case (issue 17, "Live chat"; docs/protocol.md#live-chat). The customer's messages go up
 * on `chat` from the device's durable outbox (in order, exactly once in the case by message id); staff
 * messages come down on `chat/staff`, which only the fleet may publish (the ACL of every down topic).
 * Typing is ephemeral: `chat/typing` up at QoS 0, never stored; staff typing rides `chat/staff`.
 */

/** The longest text a message carries, either way (characters). */
export const CHAT_TEXT_MAX = 1000;
/** Quick replies staff may offer in one message, and the longest label (a button on a small screen). */
export const CHAT_CHOICES_MAX = 6;
export const CHAT_CHOICE_LABEL_MAX = 40;
/** The largest image the customer may send, decoded; images only (issue 17: "images the device takes, with consent"). */
export const CHAT_IMAGE_MAX_BYTES = 96 * 1024;
export const CHAT_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type ChatImageType = (typeof CHAT_IMAGE_TYPES)[number];
/** The largest `chat` payload the fleet takes: an image as base64 plus its envelope. */
export const CHAT_UP_MAX_BYTES = Math.ceil((CHAT_IMAGE_MAX_BYTES * 4) / 3) + 4 * 1024;
/** How long the buttons of an interactive staff message stay answerable unless staff say otherwise. */
export const CHAT_INTERACTIVE_TTL_MS = 30 * 60 * 1000;

const text = z.string().trim().min(1).max(CHAT_TEXT_MAX);

export const chatChoice = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'must be 1-32 characters of a-z 0-9 _ -'),
  label: z.string().trim().min(1).max(CHAT_CHOICE_LABEL_MAX),
});
export type ChatChoice = z.infer<typeof chatChoice>;

/** The answers of a flow step, fix proposal or video request: the customer accepts or declines with a tap. */
export const CHAT_ACCEPT = 'accept';
export const CHAT_DECLINE = 'decline';
export type ChatAccept = typeof CHAT_ACCEPT;
export type ChatDecline = typeof CHAT_DECLINE;

/**
 * What staff write. `quickReplies` offers buttons; `flowStep` invites the customer into a help flow on the
 * device (`stepId`: where to start, the flow's first step when absent); `fix` proposes an action of the
 * device's profile (staff run it through the signed command path once accepted); `video` asks for a call
 * (the device still asks its own consent when the call comes). Every interactive kind is answered by a tap.
 */
export const chatStaffBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text }),
  z.object({
    kind: z.literal('quickReplies'),
    text,
    choices: z
      .array(chatChoice)
      .min(1)
      .max(CHAT_CHOICES_MAX)
      .refine((cs) => new Set(cs.map((c) => c.id)).size === cs.length, 'choice ids must be unique'),
  }),
  z.object({ kind: z.literal('flowStep'), text, flowId: safeId, stepId: safeId.optional() }),
  z.object({ kind: z.literal('fix'), text, action: z.string().min(1).max(64) }),
  z.object({ kind: z.literal('video'), text }),
]);
export type ChatStaffBody = z.infer<typeof chatStaffBody>;
export type ChatStaffKind = ChatStaffBody['kind'];

/** The choice ids a staff message can be answered with; none for plain text. */
export function chatChoicesOf(body: ChatStaffBody): readonly string[] {
  if (body.kind === 'text') return [];
  if (body.kind === 'quickReplies') return body.choices.map((c) => c.id);
  return [CHAT_ACCEPT, CHAT_DECLINE];
}

/** What the customer sends: text, the tap on a staff message's button, an image after consent, or a read mark. */
export const chatCustomerBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text }),
  z.object({ kind: z.literal('answer'), replyTo: z.string().min(8).max(64), choice: chatChoice.shape.id }),
  z.object({
    kind: z.literal('image'),
    mime: z.enum(CHAT_IMAGE_TYPES),
    /** base64 of the image bytes; decoded at most CHAT_IMAGE_MAX_BYTES. */
    data: z
      .string()
      .max(Math.ceil((CHAT_IMAGE_MAX_BYTES * 4) / 3) + 4)
      .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'),
    /** When the customer agreed on the device to send this image (ms since epoch): no consent, no image. */
    consentAt: z.number().int().nonnegative(),
  }),
  /** The customer has seen the staff messages up to and including this one. */
  z.object({ kind: z.literal('read'), upTo: z.string().min(8).max(64) }),
]);
export type ChatCustomerBody = z.infer<typeof chatCustomerBody>;

/** Up on `chat`, from the outbox: `id` is the message id, the one the case dedupes by. */
export const chatCustomerMessage = z.object({
  ...messageBase,
  deviceId: deviceIdField,
  caseId: safeId,
  body: chatCustomerBody,
});
export type ChatCustomerMessage = z.infer<typeof chatCustomerMessage>;

/** Up on `chat/typing`, QoS 0, not from the outbox: a late or lost one only misleads a dot for a moment. */
export const chatTypingMessage = z.object({
  ...messageBase,
  deviceId: deviceIdField,
  caseId: safeId,
  typing: z.boolean(),
});
export type ChatTypingMessage = z.infer<typeof chatTypingMessage>;

/** Who wrote, as the customer sees them. */
export const chatStaffName = z.object({ name: z.string().max(64), role: z.enum(['viewer', 'agent', 'admin']) });

/**
 * Down on `chat/staff`: a staff message (`id` is its message id: the device shows a redelivery once; an
 * interactive one is answerable until `expiresAt`), staff typing, or staff having read the customer's
 * messages up to `upTo`.
 */
export const chatStaffMessage = z.discriminatedUnion('kind', [
  z.object({
    ...messageBase,
    kind: z.literal('message'),
    caseId: safeId,
    from: chatStaffName,
    body: chatStaffBody,
    expiresAt: z.number().int().nonnegative().optional(),
  }),
  z.object({ ...messageBase, kind: z.literal('typing'), caseId: safeId, from: chatStaffName, typing: z.boolean() }),
  z.object({ ...messageBase, kind: z.literal('read'), caseId: safeId, upTo: z.string().min(8).max(64) }),
]);
export type ChatStaffMessage = z.infer<typeof chatStaffMessage>;
