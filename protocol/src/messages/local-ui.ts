import { z } from 'zod';
import { safeId } from '../ids.js';
import { localizedText, sensorValue } from './base.js';
import { caseStatus } from './case.js';
import { commandResultMessage } from './command.js';
import { linkState } from './diagnostics.js';

/**
 * The touchscreen UI <-> device-agent contract, over the agent's loopback
 * WebSocket (`/ws`). The UI sends requests `{ id, type, ... }` and gets a
 * `reply` with `replyTo: id`; the agent pushes state and events unasked.
 *
 * `type` names are namespaced: core types below, and extensions (help
 * session, video) add their own (`help.*`, `video.*`) with their own schemas.
 */
export const UI_TYPE_PATTERN = /^[a-z][a-z0-9]*(\.[a-z][a-z0-9-]*)+$/;
export const uiMessageType = z
  .string()
  .max(64)
  .regex(UI_TYPE_PATTERN, 'must be namespaced, such as state.get or help.start');

/** What the UI shows live: broker reachability, MCU link, sensors, active errors. */
export const uiLiveState = z.object({
  broker: z.enum(['online', 'offline']),
  link: linkState,
  sensors: z.record(z.string().max(64), sensorValue),
  errors: z.array(z.string().max(16)).max(64),
  /** ms since epoch of the last change. */
  updatedAt: z.number().int().nonnegative(),
});
export type UiLiveState = z.infer<typeof uiLiveState>;

// ---- UI -> agent ----------------------------------------------------------

/** Every request: an id the reply echoes, and a namespaced type. Extensions extend this object. */
export const uiRequestBase = z.object({ id: z.string().min(1).max(64), type: uiMessageType });
export type UiRequestBase = z.infer<typeof uiRequestBase>;

export const uiStateGetRequest = uiRequestBase.extend({ type: z.literal('state.get') });
export const uiPingRequest = uiRequestBase.extend({ type: z.literal('agent.ping') });

/** The customer's answer to a staff action that needs them (`support.ask` below, issue 16). */
export const uiSupportAnswerRequest = uiRequestBase.extend({
  type: z.literal('support.answer'),
  commandId: z.string().min(1).max(64),
  allow: z.boolean(),
});

/** The customer's support history (receipts), newest first. */
export const uiSupportHistoryRequest = uiRequestBase.extend({ type: z.literal('support.history') });

/**
 * A receipt the customer keeps (issue 16): what support did or what the customer shared, by whom and when.
 * `fix`: a staff action on the device and how it ended; `case`: the customer's request and its status;
 * `call`: a video call the customer accepted, once it ended.
 * `by`: the staff member's name and role when the fleet named them (a signed command's issuer, a claimed
 * case, the caller), otherwise the support team; the agent leaves the name out when configured to
 * (touchscreen.staffNames: role).
 */
export const supportReceipt = z.object({
  /** The command id, `case:` and the case id, or `call:` and the video session id. */
  id: z.string().min(1).max(80),
  at: z.number().int().nonnegative(),
  kind: z.enum(['fix', 'case', 'call']),
  /** The action's name from the profile (fix), absent for a case. */
  label: localizedText.optional(),
  action: z.string().max(64).optional(),
  outcome: z.enum(['succeeded', 'failed', 'declined', 'no-answer', 'opened', 'claimed', 'resolved', 'closed', 'ended']),
  /** What the customer shared with support (a case: the snapshot and the help session; a call: camera, microphone). */
  shared: z.array(z.enum(['diagnostics', 'help-session', 'camera', 'microphone'])).max(8),
  /** A case: what the diagnostics snapshot taken at escalation held, by the profile's names. */
  diagnostics: z
    .object({ errors: z.array(z.string().max(16)).max(64), readings: z.array(localizedText).max(64) })
    .optional(),
  /** A call: how long it ran, from the customer's Accept to its end. */
  durationS: z.number().int().nonnegative().optional(),
  by: z.object({ role: z.enum(['support', 'agent', 'admin']), name: z.string().max(64).optional() }),
});
export type SupportReceipt = z.infer<typeof supportReceipt>;

/** Allow remote control for `minutes` (such actions then run without the tap); 0 ends it now. */
export const uiSupportRemoteRequest = uiRequestBase.extend({
  type: z.literal('support.remote'),
  minutes: z.number().int().min(0).max(240),
});

// ---- agent -> UI ----------------------------------------------------------

export const uiHelloMessage = z.object({
  type: z.literal('hello'),
  deviceId: safeId,
  model: z.string().max(64),
  profileVersion: z.string().max(32),
  agentVersion: z.string().max(32),
  state: uiLiveState,
  /**
   * After this many seconds without a tap the touchscreen goes home and clears the last customer's
   * session from the screen (agent config touchscreen.idleTimeoutS; 0: never; issue 16).
   */
  idleTimeoutS: z.number().min(0).max(3_600).optional(),
});

export const uiStateMessage = z.object({ type: z.literal('state'), state: uiLiveState });

/**
 * A remote command's progress as the customer should see it ("Support is descaling your machine", issue 16):
 * `accepted` when it starts, then `succeeded` or `failed`. `label` is the profile's name of the action.
 */
export const uiCommandMessage = z.object({
  type: z.literal('command'),
  commandId: z.string().max(64),
  action: z.string().max(64).optional(),
  label: localizedText.optional(),
  status: commandResultMessage.shape.status,
  code: z.string().max(32).optional(),
  reason: z.string().max(512).optional(),
});

export const uiProgressMessage = z.object({
  type: z.literal('progress'),
  commandId: z.string().max(64).optional(),
  action: z.string().max(64),
  label: localizedText.optional(),
  percent: z.number().min(0).max(100),
  message: z.string().max(256).optional(),
});

export const uiCaseStatusMessage = z.object({
  type: z.literal('case.status'),
  caseId: safeId,
  status: caseStatus,
  agentName: z.string().max(64).optional(),
});

/**
 * A staff action that needs the customer (profile `needsCustomer`) waits for "Allow" or "Decline" until
 * `until` (ms since epoch); the `command` message for the same id ends the question (issue 16).
 */
export const uiSupportAskMessage = z.object({
  type: z.literal('support.ask'),
  commandId: z.string().max(64),
  action: z.string().max(64),
  label: localizedText.optional(),
  reason: localizedText,
  until: z.number().int().nonnegative(),
});

/**
 * Whether the customer allows remote control, and until when (ms since epoch); null: not allowed.
 * `minutes`: how long it lasts when they turn it on (the agent's `commands.remoteControlMinutes`).
 */
export const uiSupportRemoteMessage = z.object({
  type: z.literal('support.remote'),
  until: z.number().int().nonnegative().nullable(),
  minutes: z.number().int().positive(),
});

export const uiReplyMessage = z.discriminatedUnion('ok', [
  z.object({
    type: z.literal('reply'),
    replyTo: z.string().max(64),
    ok: z.literal(true),
    data: z.unknown().optional(),
  }),
  z.object({
    type: z.literal('reply'),
    replyTo: z.string().max(64),
    ok: z.literal(false),
    code: z.string().max(32),
    message: z.string().max(512),
  }),
]);

/** Core messages the agent pushes; extension messages have a namespaced `type` and their own schema. */
export const uiCoreMessage = z.union([
  uiHelloMessage,
  uiStateMessage,
  uiCommandMessage,
  uiProgressMessage,
  uiCaseStatusMessage,
  uiSupportAskMessage,
  uiSupportRemoteMessage,
  uiReplyMessage,
]);
export type UiCoreMessage = z.infer<typeof uiCoreMessage>;
export type UiReplyMessage = z.infer<typeof uiReplyMessage>;

/** Any message from the agent: a core one, or an extension's `{ type: 'ns.name', ... }`. */
export type UiAgentMessage = UiCoreMessage | ({ type: string } & Record<string, unknown>);

// ---- who may open the WebSocket (issue 12, Low: a per-boot kiosk secret) ----

/**
 * The kiosk opens `/ws` with two subprotocols: this one (the agent selects it)
 * and `tp-kiosk.<secret>`, the per-boot secret the agent gave the kiosk in the
 * URL fragment `#k=<secret>` (fragments never reach a server or a Referer).
 * The UI bundle imports only types, so it spells these values out and the
 * types below keep both sides in step.
 */
export const LOCAL_UI_SUBPROTOCOL = 'touchpoint.v1';
export type LocalUiSubprotocol = typeof LOCAL_UI_SUBPROTOCOL;
export const KIOSK_KEY_PROTOCOL_PREFIX = 'tp-kiosk.';
export type KioskKeyProtocol = `${typeof KIOSK_KEY_PROTOCOL_PREFIX}${string}`;
/** The URL fragment parameter that carries the secret to the kiosk page. */
export const KIOSK_KEY_FRAGMENT = 'k';
export type KioskKeyFragment = typeof KIOSK_KEY_FRAGMENT;
/** Header a non-browser client sends the secret in on state-changing HTTP routes (POST). */
export const KIOSK_KEY_HEADER = 'x-touchpoint-kiosk-key';
/** base64url of 32 random bytes: valid in a subprotocol token, a header and a fragment as is. */
export const KIOSK_KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;
