import { z } from 'zod';
import { safeId as safeIdField } from '../ids.js';
import { deviceIdField, messageBase } from './base.js';

/**
 * How a resolved help session was resolved (issue 16), as the flow's end step
 * says: `fix` the flow fixed it (an action), `customer` the customer fixed it
 * by following the steps, `nothing-wrong` there was no fault ("The pressure is
 * fine"). With `escalated` and `abandoned` these are the five session
 * outcomes the KPIs are computed from (docs/console.md).
 */
export const helpResolution = z.enum(['fix', 'customer', 'nothing-wrong']);
export type HelpResolution = z.infer<typeof helpResolution>;

/** Set on an entry the customer's tap caused on their phone (issue 17); absent: the touchscreen (or the engine). */
const fromPhone = { via: z.literal('phone').optional() };

/** One entry in a help-session trace; the console mirrors these live. */
export const helpTraceEntry = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('start'),
    ...fromPhone,
    at: z.number().int(),
    flowId: z.string().max(64),
    flowVersion: z.string().max(32),
    trigger: z.enum(['menu', 'error', 'support']),
    errorCode: z.string().max(16).optional(),
    locale: z.string().max(8),
  }),
  z.object({ kind: z.literal('step'), at: z.number().int(), stepId: z.string().max(64), stepType: z.string().max(16) }),
  z.object({
    kind: z.literal('choice'),
    ...fromPhone,
    at: z.number().int(),
    stepId: z.string().max(64),
    choiceId: z.string().max(64),
    msOnStep: z.number().int().nonnegative(),
  }),
  z.object({
    kind: z.literal('back'),
    ...fromPhone,
    at: z.number().int(),
    fromStepId: z.string().max(64),
    toStepId: z.string().max(64),
    msOnStep: z.number().int().nonnegative(),
  }),
  z.object({
    kind: z.literal('check'),
    ...fromPhone,
    at: z.number().int(),
    stepId: z.string().max(64),
    result: z.boolean(),
  }),
  z.object({
    kind: z.literal('action'),
    ...fromPhone,
    at: z.number().int(),
    stepId: z.string().max(64),
    action: z.string().max(64),
    status: z.enum(['confirmed', 'cancelled', 'progress', 'succeeded', 'failed', 'verified', 'not-verified']),
    progress: z.number().min(0).max(100).optional(),
    reason: z.string().max(256).optional(),
  }),
  z.object({
    kind: z.literal('outcome'),
    ...fromPhone,
    at: z.number().int(),
    stepId: z.string().max(64).optional(),
    outcome: z.enum(['resolved', 'escalated', 'abandoned']),
    /** With `resolved`: which kind of resolution the end step declared. Absent from agents before issue 16. */
    resolution: helpResolution.optional(),
    reason: z.string().max(256).optional(),
    msTotal: z.number().int().nonnegative(),
  }),
  z.object({
    kind: z.literal('rating'),
    ...fromPhone,
    at: z.number().int(),
    /** Customer Effort Score 2.0: 1 = very difficult … 7 = very easy; higher is better everywhere (issue 16). */
    ces: z.number().int().min(1).max(7),
    helped: z.boolean(),
  }),
]);
export type HelpTraceEntry = z.infer<typeof helpTraceEntry>;

const helpEvent = z.object({
  type: z.literal('help'),
  sessionId: safeIdField,
  flowId: z.string().max(64),
  entry: helpTraceEntry,
});

const errorRaisedEvent = z.object({ type: z.literal('error.raised'), code: z.string().max(16) });
const errorClearedEvent = z.object({ type: z.literal('error.cleared'), code: z.string().max(16) });

const linkEvent = z.object({
  type: z.literal('link'),
  link: z.enum(['up', 'down', 'reopening']),
  reason: z.string().max(256).optional(),
});

const videoEvent = z.object({
  type: z.literal('video'),
  sessionId: safeIdField,
  status: z.enum(['ringing', 'accepted', 'declined', 'timeout', 'connected', 'ended']),
  endedBy: z.enum(['device', 'staff', 'phone', 'timeout']).optional(),
});

/** Up on `evt`: everything that happens on the device, in order. */
export const deviceEventMessage = z.object({
  ...messageBase,
  deviceId: deviceIdField,
  event: z.discriminatedUnion('type', [helpEvent, errorRaisedEvent, errorClearedEvent, linkEvent, videoEvent]),
});
export type DeviceEventMessage = z.infer<typeof deviceEventMessage>;
export type DeviceEvent = DeviceEventMessage['event'];
