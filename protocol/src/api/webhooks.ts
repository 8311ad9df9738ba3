import { z } from 'zod';
import { safeId } from '../ids.js';

/**
 * Outgoing webhooks and the ticketing connector (issue 17, "Webhooks and one ticketing connector";
 * docs/integrations.md). Admin only. A signing secret (or a connector's API token) is in a response
 * exactly once, when it is made or rotated; lists never carry it.
 */

/**
 * What a webhook can subscribe to. `chat.message` is declared for the live chat (issue 17, "Live chat"),
 * which will emit it; until then no delivery carries it.
 */
export const webhookEventType = z.enum([
  'case.opened',
  'case.updated',
  'case.resolved',
  'chat.message',
  'command.result',
  'error.raised',
]);
export type WebhookEventType = z.infer<typeof webhookEventType>;
export const WEBHOOK_EVENT_TYPES = webhookEventType.options;

/** The headers every delivery carries (docs/integrations.md#verifying-a-delivery). */
export const WEBHOOK_HEADERS = {
  /** The event's id: the same on every attempt and replay, so a receiver can drop a repeat. */
  id: 'x-touchpoint-event-id',
  event: 'x-touchpoint-event',
  /** Unix seconds when this attempt was signed; part of the signed text, so a replayed old request is stale. */
  timestamp: 'x-touchpoint-timestamp',
  /** `v1=` and the hex HMAC-SHA256 of `timestamp + "." + body` with the endpoint's secret. */
  signature: 'x-touchpoint-signature',
} as const;

/** The body of every delivery: one event. */
export const webhookEvent = z.object({
  id: z.string().min(1),
  type: webhookEventType,
  /** When the fleet saw it happen, ms since the epoch. */
  time: z.number().int(),
  data: z.record(z.string(), z.unknown()),
});
export type WebhookEvent = z.infer<typeof webhookEvent>;

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false; // the url() check above names the problem
  }
}

/** A receiver must be reached over http(s); anything else (file:, javascript:, ftp:) is refused at configuration. */
export const webhookUrl = z
  .string()
  .trim()
  .max(2048)
  .url('must be an absolute URL')
  .refine(isHttpUrl, 'must be an http:// or https:// URL');

export const webhookKind = z.enum(['webhook', 'zammad']);
export type WebhookKind = z.infer<typeof webhookKind>;

/** What the Zammad connector needs beside its base URL and API token (docs/integrations.md#zammad). */
export const zammadSettings = z.object({
  /** The Zammad group new tickets go to, e.g. `Users`. */
  group: z.string().trim().min(1).max(160),
  /** The customer new tickets are filed under (created in Zammad on first use), e.g. `devices@example.com`. */
  customer: z.string().trim().email().max(254),
});
export type ZammadSettings = z.infer<typeof zammadSettings>;

const endpointName = safeId;

/** POST /api/webhooks: a signed webhook, or the Zammad connector with its token and settings. */
export const createWebhookRequest = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('webhook'),
    name: endpointName,
    url: webhookUrl,
    events: z.array(webhookEventType).min(1, 'pick at least one event').max(WEBHOOK_EVENT_TYPES.length),
    enabled: z.boolean().default(true),
  }),
  z.object({
    kind: z.literal('zammad'),
    name: endpointName,
    /** Zammad's base URL, e.g. `https://helpdesk.example.com`. */
    url: webhookUrl,
    /** A Zammad API token (Profile → Token Access) with ticket.agent. */
    token: z.string().trim().min(8).max(512),
    zammad: zammadSettings,
    enabled: z.boolean().default(true),
  }),
]);
export type CreateWebhookRequest = z.input<typeof createWebhookRequest>;

/** POST /api/webhooks/:id: change what is given; the kind and the name stay. */
export const updateWebhookRequest = z.object({
  url: webhookUrl.optional(),
  events: z.array(webhookEventType).min(1, 'pick at least one event').max(WEBHOOK_EVENT_TYPES.length).optional(),
  enabled: z.boolean().optional(),
  zammad: zammadSettings.optional(),
});
export type UpdateWebhookRequest = z.input<typeof updateWebhookRequest>;

export const webhookView = z.object({
  id: z.string(),
  name: z.string(),
  kind: webhookKind,
  url: z.string(),
  events: z.array(webhookEventType),
  enabled: z.boolean(),
  zammad: zammadSettings.nullable(),
  createdAt: z.number().int(),
  createdBy: z.string(),
  updatedAt: z.number().int(),
  secretRotatedAt: z.number().int().nullable(),
  /** Deliveries waiting and in the dead-letter list now. */
  pending: z.number().int().nonnegative(),
  dead: z.number().int().nonnegative(),
});
export type WebhookView = z.infer<typeof webhookView>;

export const webhookListResponse = z.object({ items: z.array(webhookView) });

/**
 * POST /api/webhooks (201) and POST /api/webhooks/:id/rotate: the secret, shown once. For a webhook it is
 * the signing secret; for Zammad it is the token Zammad's own webhook must sign with (HMAC-SHA1), and the
 * path it must call.
 */
export const webhookWithSecret = z.object({
  endpoint: webhookView,
  secret: z.string().min(1),
  /** Zammad: the Touchpoint path its trigger's webhook posts to. */
  inboundPath: z.string().optional(),
});
export type WebhookWithSecret = z.infer<typeof webhookWithSecret>;

export const webhookEndpointResponse = z.object({ endpoint: webhookView });
export const webhookDeleteResponse = z.object({ deleted: z.string() });

export const deliveryStatus = z.enum(['pending', 'delivered', 'dead']);
export type DeliveryStatus = z.infer<typeof deliveryStatus>;

export const deliveryAttempt = z.object({
  attempt: z.number().int().positive(),
  at: z.number().int(),
  /** The receiver's HTTP status, null when none came (timeout, refused connection). */
  statusCode: z.number().int().nullable(),
  durationMs: z.number().int().nonnegative(),
  error: z.string().nullable(),
  /** When the next attempt is due; null after the last one. */
  nextAttemptAt: z.number().int().nullable(),
});
export type DeliveryAttempt = z.infer<typeof deliveryAttempt>;

export const deliveryView = z.object({
  id: z.number().int(),
  endpointId: z.string(),
  endpointName: z.string(),
  eventId: z.string(),
  eventType: webhookEventType,
  status: deliveryStatus,
  attempts: z.array(deliveryAttempt),
  nextAttemptAt: z.number().int().nullable(),
  createdAt: z.number().int(),
  finishedAt: z.number().int().nullable(),
  /** The delivery this one replays. */
  replayOf: z.number().int().nullable(),
});
export type DeliveryView = z.infer<typeof deliveryView>;

/** GET /api/webhook-deliveries?status=dead&endpoint=ID */
export const deliveryListQuery = z.object({
  status: deliveryStatus.optional(),
  endpoint: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const deliveryListResponse = z.object({ items: z.array(deliveryView) });
export type DeliveryListResponse = z.infer<typeof deliveryListResponse>;

/** POST /api/webhook-deliveries/:id/replay: a new delivery of the same event, due now. */
export const replayResponse = z.object({ delivery: deliveryView });
