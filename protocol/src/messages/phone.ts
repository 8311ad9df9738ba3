import { z } from 'zod';
import { chatEntryView } from '../api/chat.js';
import { safeId } from '../ids.js';
import { messageBase } from './base.js';
import { chatCustomerBody } from './chat.js';
import { helpCaseState, helpFlowSummary, helpScreen } from './help-ui.js';
import { uiRequestBase } from './local-ui.js';

/**
 * The phone as a touchpoint (issue 17, "The phone as a full touchpoint"). The customer scans a code on the
 * touchscreen and their phone shows the device's own help session: the screens the agent's flow engine
 * builds (the same `helpScreen` view model the touchscreen renders), the open case, and the steps the
 * customer takes there, which run on the device. Nothing of the flow runs in the fleet: it relays.
 *
 * Up on `phone/up` from the device, down on `phone/down` to it, live only (not from the outbox: a step
 * sent while the device is offline is refused, not replayed later, docs/customer-journey.md).
 */

/** How long a phone link may be scanned before it expires. */
export const PHONE_LINK_TTL_MS = 5 * 60 * 1000;
/** How long a claimed phone may act for the device at most; the customer can end it earlier on the device. */
export const PHONE_ACCESS_TTL_MS = 30 * 60 * 1000;

const sessionId = z.string().max(64);

/** A step the customer takes on the phone: the touchscreen's `help.*` requests, without the UI's request id. */
export const phoneStep = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), flowId: z.string().min(1).max(64), locale: z.string().min(2).max(8) }),
  z.object({ type: z.literal('next'), sessionId }),
  z.object({ type: z.literal('choose'), sessionId, choiceId: z.string().min(1).max(64) }),
  z.object({ type: z.literal('confirm'), sessionId }),
  z.object({ type: z.literal('cancel'), sessionId }),
  z.object({ type: z.literal('back'), sessionId }),
  z.object({
    type: z.literal('rate'),
    sessionId,
    ces: z.number().int().min(1).max(7),
    helped: z.boolean(),
  }),
  z.object({ type: z.literal('close') }),
]);
export type PhoneStep = z.infer<typeof phoneStep>;

/** Why a phone's access ended. */
export const phoneEndReason = z.enum(['device', 'phone', 'expired', 'replaced', 'offline']);
export type PhoneEndReason = z.infer<typeof phoneEndReason>;

/** What the phone shows: the device's help as the touchscreen has it now. */
export const phoneView = z.object({
  /** The device's name in every language, and the flows it offers (the touchscreen's home screen). */
  device: z.object({ name: z.record(z.string().max(8), z.string().max(256)) }),
  flows: z.array(helpFlowSummary).max(64),
  /** The running flow's screen; images stay on the device (their URLs are the touchscreen's own). */
  screen: helpScreen.nullable(),
  /** On an action's confirm screen: whether the phone may confirm it (the profile's `confirmOn`). */
  confirmOnPhone: z.boolean(),
  case: helpCaseState.nullable(),
  /**
   * A video call ringing or running with support, and the video hand-off's own single-use link to take it on
   * this phone (consent to the camera is still asked there, for this call); null without a call.
   */
  call: z.object({ staffName: z.string().max(64), url: z.string().max(512).nullable() }).nullable(),
});
export type PhoneView = z.infer<typeof phoneView>;

/** Down on `phone/down`. */
export const phoneDownMessage = z.discriminatedUnion('kind', [
  /** The link the touchscreen shows as a QR code (it checks the origin first, as for video links). */
  z.object({
    ...messageBase,
    kind: z.literal('link'),
    accessId: safeId,
    url: z.string().max(512),
    expiresAt: z.number(),
  }),
  /** A phone holds the link now: the touchscreen shows it, with the control that ends it. */
  z.object({ ...messageBase, kind: z.literal('claimed'), accessId: safeId, expiresAt: z.number() }),
  z.object({ ...messageBase, kind: z.literal('ended'), accessId: safeId, reason: phoneEndReason }),
  /** A step the phone took; `seq` rises per access, so a redelivered step runs once. */
  z.object({
    ...messageBase,
    kind: z.literal('step'),
    accessId: safeId,
    seq: z.number().int().nonnegative(),
    step: phoneStep,
  }),
]);
export type PhoneDownMessage = z.infer<typeof phoneDownMessage>;

/** Up on `phone/up`. */
export const phoneUpMessage = z.discriminatedUnion('kind', [
  /** The customer tapped "Continue on my phone". */
  z.object({ ...messageBase, kind: z.literal('link.request') }),
  /** The customer ended the phone's access on the touchscreen. */
  z.object({ ...messageBase, kind: z.literal('end'), accessId: safeId }),
  /** The help as it is now, sent on every change while a phone holds access. */
  z.object({ ...messageBase, kind: z.literal('view'), accessId: safeId, view: phoneView }),
  /** A step the device refused (no session, the action must be confirmed on the device, …). */
  z.object({
    ...messageBase,
    kind: z.literal('step.refused'),
    accessId: safeId,
    seq: z.number().int().nonnegative(),
    code: z.string().max(64),
    reason: z.string().max(256),
  }),
]);
export type PhoneUpMessage = z.infer<typeof phoneUpMessage>;

// ---- the phone's HTTP API (`/api/phone/*`, a bearer key instead of a staff session) ----------------------

/** POST /api/phone/claim: the single use of the link's token. */
export const phoneAccessClaimRequest = z.object({ token: z.string().min(16).max(128) });
export const phoneAccessClaimResponse = z.object({
  accessId: safeId,
  /** Bearer key for this phone's later calls; it works until the access ends. */
  key: z.string(),
  expiresAt: z.number().int(),
});
export type PhoneAccessClaimResponse = z.infer<typeof phoneAccessClaimResponse>;

/** POST /api/phone/:accessId/step */
export const phoneStepRequest = z.object({ seq: z.number().int().nonnegative(), step: phoneStep });

/**
 * POST /api/phone/:accessId/chat: the customer writes in the open case's chat from the phone (issue 17, "Live
 * chat"): text, or the tap on a staff message's button. Images need the device's own consent step, so not here.
 */
export const phoneChatRequest = z.object({
  body: chatCustomerBody.refine((b) => b.kind === 'text' || b.kind === 'answer', {
    message: 'the phone sends text and answers only',
  }),
});

/** GET /api/phone/:accessId/events (server-sent events). */
export const phoneStreamEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('view'), view: phoneView }),
  /** The open case's chat, oldest first, whenever it changes. */
  z.object({ type: z.literal('chat'), caseId: safeId, items: z.array(chatEntryView).max(500) }),
  z.object({ type: z.literal('refused'), seq: z.number().int(), code: z.string(), reason: z.string() }),
  z.object({ type: z.literal('ended'), reason: phoneEndReason }),
]);
export type PhoneStreamEvent = z.infer<typeof phoneStreamEvent>;

// ---- the touchscreen's part, over the agent's loopback WebSocket ----------------------------------------

/**
 * The phone's access as the touchscreen shows it: the code to scan (`offered`), a phone that holds it
 * (`connected`, with the visible control that ends it), or none (null).
 */
export const uiPhoneState = z.discriminatedUnion('status', [
  z.object({ status: z.literal('requesting') }),
  z.object({ status: z.literal('offered'), url: z.string().max(512), expiresAt: z.number() }),
  z.object({ status: z.literal('connected'), expiresAt: z.number() }),
]);
export type UiPhoneState = z.infer<typeof uiPhoneState>;
export const uiPhoneStateMessage = z.object({ type: z.literal('phone.state'), phone: uiPhoneState.nullable() });
export type UiPhoneStateMessage = z.infer<typeof uiPhoneStateMessage>;

/** "Continue on my phone": the agent asks the fleet for a link. */
export const uiPhoneLinkRequest = uiRequestBase.extend({ type: z.literal('phone.link') });
/** End the phone's access (or put away a code nobody scanned). */
export const uiPhoneEndRequest = uiRequestBase.extend({ type: z.literal('phone.end') });
