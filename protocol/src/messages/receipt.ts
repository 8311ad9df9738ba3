import { z } from 'zod';
import { messageBase } from './base.js';

/** Ids one receipt may carry: a device has at most its outbox window (1,000) unreceipted reports out at once. */
export const MAX_RECEIPT_IDS = 1_000;

const messageId = messageBase.id;

/**
 * Down on `rcpt` (QoS 0, issue 15 "End-to-end receipts"): the fleet is done
 * with these reports, so the device deletes them from its outbox. One receipt
 * covers every report of the device that one ingest batch settled, so it does
 * not double the traffic. A lost receipt costs a re-send, which ingest
 * recognises by message id and receipts again.
 */
export const receiptMessage = z.object({
  ...messageBase,
  /** Stored now, or stored before (a re-send). */
  ids: z.array(messageId).max(MAX_RECEIPT_IDS),
  /**
   * Refused for good (sending again would be refused again), with the ErrorCode. A plain string, so a
   * code added to a newer fleet does not make an older agent drop the whole receipt.
   */
  refused: z
    .array(z.object({ id: messageId, code: z.string().min(1).max(64) }))
    .max(MAX_RECEIPT_IDS)
    .optional(),
});
export type ReceiptMessage = z.infer<typeof receiptMessage>;

const withId = z.object({ id: messageId });

/** The top-level `id` of a JSON message, or undefined: to receipt a report whose schema check failed. */
export function messageIdOf(payload: Uint8Array | string): string | undefined {
  try {
    const parsed = withId.safeParse(
      JSON.parse(typeof payload === 'string' ? payload : new TextDecoder().decode(payload)),
    );
    return parsed.success ? parsed.data.id : undefined;
  } catch {
    return undefined;
  }
}
