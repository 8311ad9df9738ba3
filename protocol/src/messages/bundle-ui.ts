import { z } from 'zod';
import { safeId } from '../ids.js';
import { bundleContent, bundleRequestMessage } from './bundle.js';
import { uiRequestBase } from './local-ui.js';

/**
 * The touchscreen's part of support bundles (issue 17), over the agent's loopback WebSocket: the agent shows
 * the customer the redacted bundle exactly as it would be sent (`bundle.ask`), the customer answers
 * (`bundle.answer`), and `bundle.closed` ends the question (answered, expired, or refused on another screen).
 */
export const uiBundleAskMessage = z.object({
  type: z.literal('bundle.ask'),
  requestId: safeId,
  requestedBy: z.object({ name: z.string().max(64), role: z.enum(['agent', 'admin']) }),
  /** The customer's answer is awaited until then (ms since epoch). */
  until: z.number().int().nonnegative(),
  /** What would be sent: the very object the reply carries. */
  bundle: bundleContent,
  /** Its size in bytes as sent. */
  sizeBytes: z.number().int().nonnegative(),
});
export type UiBundleAskMessage = z.infer<typeof uiBundleAskMessage>;

export const uiBundleClosedMessage = z.object({
  type: z.literal('bundle.closed'),
  requestId: safeId,
  outcome: z.enum(['sent', 'refused', 'expired']),
});
export type UiBundleClosedMessage = z.infer<typeof uiBundleClosedMessage>;

export const uiBundleAnswerRequest = uiRequestBase.extend({
  type: z.literal('bundle.answer'),
  requestId: safeId,
  send: z.boolean(),
});
export type UiBundleAnswerRequest = z.infer<typeof uiBundleAnswerRequest>;

/** Who asked, as the touchscreen names them. */
export type BundleRequester = z.infer<typeof bundleRequestMessage>['requestedBy'];
