import { z } from 'zod';
import { safeId } from '../ids.js';
import { deviceIdField, messageBase } from './base.js';
import { hostMetrics, linkState } from './diagnostics.js';

/**
 * Support bundles (issue 17, "Support bundles"): staff ask a device for a diagnostic bundle over a time range;
 * the customer sees exactly what would be sent, redacted, and sends it or not. Nothing leaves the device before
 * their tap. docs/device-agent.md#support-bundles lists what is collected and the redaction rules.
 */

/** Default and longest time range staff may ask for. */
export const BUNDLE_DEFAULT_RANGE_MS = 24 * 60 * 60 * 1000;
export const BUNDLE_MAX_RANGE_MS = 7 * BUNDLE_DEFAULT_RANGE_MS;
/**
 * The largest bundle reply, as JSON bytes: the agent refuses to offer a larger one and the fleet refuses to
 * store one. Below the broker's 256 KiB MQTT packet limit (broker/src/options.ts), so a bundle is never cut
 * off by the transport instead of refused with a reason.
 */
export const BUNDLE_MAX_BYTES = 192 * 1024;
/** How long the customer has to answer before the request expires on the device. */
export const BUNDLE_CONSENT_WAIT_MS = 5 * 60 * 1000;

/** Down on `bundle/req`: staff want a bundle for this case. */
export const bundleRequestMessage = z
  .object({
    ...messageBase,
    requestId: safeId,
    caseId: safeId,
    from: z.number().int().nonnegative(),
    to: z.number().int().nonnegative(),
    /** After this (ms since epoch) the device answers `expired` instead of asking. */
    expiresAt: z.number().int().nonnegative(),
    /** Who asks, shown to the customer: the staff member's name and role. */
    requestedBy: z.object({ name: z.string().max(64), role: z.enum(['agent', 'admin']) }),
  })
  .refine((m) => m.from < m.to && m.to - m.from <= BUNDLE_MAX_RANGE_MS, {
    message: 'the range must be positive and at most 7 days',
    path: ['to'],
  });
export type BundleRequestMessage = z.infer<typeof bundleRequestMessage>;

const text = (max: number) => z.string().max(max);

/** One agent log line as the bundle carries it (after redaction). */
export const bundleLogLine = z.object({
  at: z.number().int().nonnegative(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  line: text(1024),
});

/** An MCU event the agent saw: an error raised or cleared, or a link change. */
export const bundleMcuEvent = z.object({
  at: z.number().int().nonnegative(),
  type: z.enum(['error.raised', 'error.cleared', 'link']),
  code: text(32).optional(),
});

/** One help session on the device, summarised (the full trace already went up with the session). */
export const bundleHelpSession = z.object({
  sessionId: safeId,
  flowId: text(64),
  startedAt: z.number().int().nonnegative(),
  steps: z.number().int().nonnegative(),
  outcome: z.enum(['resolved', 'escalated', 'abandoned']).optional(),
});

/** What a redaction rule replaced, shown to the customer and to staff. */
export const bundleRedaction = z.object({ rule: text(32), count: z.number().int().nonnegative() });

export const bundleContent = z.object({
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
  agentLog: z.array(bundleLogLine).max(2000),
  mcu: z.object({
    link: linkState,
    activeErrors: z.array(text(16)).max(64),
    events: z.array(bundleMcuEvent).max(2000),
  }),
  outbox: z.object({
    depth: z.number().int().nonnegative(),
    dropped: z.number().int().nonnegative(),
    /** Age of the oldest queued report, ms; null when the outbox is empty. */
    oldestAgeMs: z.number().int().nonnegative().nullable(),
  }),
  helpSessions: z.array(bundleHelpSession).max(200),
  host: hostMetrics,
  redactions: z.array(bundleRedaction).max(16),
});
export type BundleContent = z.infer<typeof bundleContent>;

const replyBase = {
  ...messageBase,
  deviceId: deviceIdField,
  requestId: safeId,
  caseId: safeId,
};

/**
 * Up on `bundle`, from the outbox: the customer's answer. `sent` carries the bundle they saw; `refused` and
 * `expired` carry nothing; `failed` says why no bundle could be offered (too large, a collector failed).
 */
export const bundleReplyMessage = z.discriminatedUnion('outcome', [
  z.object({ ...replyBase, outcome: z.literal('sent'), consentAt: z.number().int(), bundle: bundleContent }),
  z.object({ ...replyBase, outcome: z.literal('refused'), at: z.number().int() }),
  z.object({ ...replyBase, outcome: z.literal('expired'), at: z.number().int() }),
  z.object({ ...replyBase, outcome: z.literal('failed'), code: text(32), reason: text(512) }),
]);
export type BundleReplyMessage = z.infer<typeof bundleReplyMessage>;
export type BundleOutcome = BundleReplyMessage['outcome'];
