import { z } from 'zod';
import { safeId } from '../ids.js';
import { deviceIdField, messageBase } from './base.js';
import { diagnosticsMessage } from './diagnostics.js';
import { helpTraceEntry } from './events.js';

/** Up on `case`: the customer escalated, after consenting to share diagnostics and this help session. */
export const caseOpenMessage = z.object({
  ...messageBase,
  deviceId: deviceIdField,
  caseId: safeId,
  reason: z.string().min(1).max(512),
  flowId: z.string().max(64).optional(),
  sessionId: safeId.optional(),
  locale: z.string().max(8),
  trace: z.array(helpTraceEntry).max(1000),
  diagnostics: diagnosticsMessage.optional(),
  consent: z.object({ diagnostics: z.literal(true), helpSession: z.literal(true), at: z.number().int() }),
});
export type CaseOpenMessage = z.infer<typeof caseOpenMessage>;

export const caseStatus = z.enum(['open', 'claimed', 'resolved', 'closed']);
export type CaseStatus = z.infer<typeof caseStatus>;

/** Down on `case/status`: what the customer sees while they wait; sent on each change and on every birth (issue 15). */
export const caseStatusMessage = z.object({
  ...messageBase,
  caseId: safeId,
  status: caseStatus,
  /** The staff member's display name once someone is looking at the device. */
  agentName: z.string().max(64).optional(),
});
export type CaseStatusMessage = z.infer<typeof caseStatusMessage>;
