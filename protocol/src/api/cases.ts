import { z } from 'zod';
import { safeId } from '../ids.js';
import { caseStatus } from '../messages/case.js';
import { diagnosticsMessage } from '../messages/diagnostics.js';
import { helpTraceEntry } from '../messages/events.js';
import { pageOf, pageQuery } from './common.js';
import { staffView } from './auth.js';

/** GET /api/cases: open and claimed cases, longest waiting first. */
export const caseQueueQuery = z.object({ ...pageQuery });

export const staffRef = staffView.pick({ id: true, displayName: true });

export const caseSummary = z.object({
  id: safeId,
  deviceId: safeId,
  model: z.string().nullable(),
  /** When the customer asked for help (the device's request time); SLA and waiting time count from here (issue 16). */
  openedAt: z.number().int(),
  /** When the request reached the fleet: later than openedAt when the device was offline. */
  receivedAt: z.number().int(),
  reason: z.string(),
  flowId: z.string().nullable(),
  status: caseStatus,
  assignee: staffRef.nullable(),
  claimedAt: z.number().int().nullable(),
  resolvedAt: z.number().int().nullable(),
});
export type CaseSummary = z.infer<typeof caseSummary>;
export const caseQueueResponse = pageOf(caseSummary);
export type CaseQueueResponse = z.infer<typeof caseQueueResponse>;

/** GET /api/cases/:id */
export const caseDetail = caseSummary.extend({
  sessionId: z.string().nullable(),
  locale: z.string().nullable(),
  trace: z.array(helpTraceEntry),
  diagnostics: diagnosticsMessage.nullable(),
  notes: z.array(z.object({ staff: staffRef, at: z.number().int(), text: z.string() })),
});
export type CaseDetail = z.infer<typeof caseDetail>;

/** POST /api/cases/:id: claim it yourself, assign it to someone, or move its status. */
export const caseUpdateRequest = z.discriminatedUnion('op', [
  z.object({ op: z.literal('claim') }),
  z.object({ op: z.literal('assign'), staffId: z.string().min(1).max(64) }),
  z.object({ op: z.literal('status'), status: caseStatus }),
]);
export type CaseUpdateRequest = z.infer<typeof caseUpdateRequest>;

/** POST /api/cases/:id/notes */
export const caseNoteRequest = z.object({ text: z.string().trim().min(1).max(4000) });

/** GET /api/staff/assignable (agent): who a case can be assigned to. */
export const assignableStaffResponse = z.object({ items: z.array(staffRef) });
