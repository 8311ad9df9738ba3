import { z } from 'zod';
import { optionalQueryInt } from './common.js';

/** GET /api/kpis?from&to (ms since epoch; default: the last 7 days). */
export const kpiQuery = z.object({
  from: optionalQueryInt(0, Number.MAX_SAFE_INTEGER),
  to: optionalQueryInt(0, Number.MAX_SAFE_INTEGER),
});

const share = z.number().min(0).max(1).nullable();

export const kpiResponse = z.object({
  from: z.number().int(),
  to: z.number().int(),
  /** Help sessions started in the period, by how they ended (the five outcomes, issue 16). */
  helpSessions: z.object({
    total: z.number().int(),
    /** Every resolved session: by a fix, by the customer, nothing wrong, and those stored before the kind was recorded. */
    resolved: z.number().int(),
    resolvedByFix: z.number().int(),
    resolvedByCustomer: z.number().int(),
    nothingWrong: z.number().int(),
    escalated: z.number().int(),
    abandoned: z.number().int(),
    inProgress: z.number().int(),
  }),
  /** Resolved by a fix or by the customer ÷ ended sessions that needed help (ended − nothing wrong); null for none. */
  firstTouchResolution: share,
  /** escalated ÷ ended sessions. */
  escalationRate: share,
  /** abandoned ÷ ended sessions: customers who left without an outcome. */
  dropOffRate: share,
  /** Average CES per flow, 1 = very difficult … 7 = very easy: higher is better (issue 16). */
  cesPerFlow: z.array(z.object({ flowId: z.string(), average: z.number(), count: z.number().int() })),
  /** Cases opened in the period and resolved (or closed) by now. */
  casesResolved: z.number().int(),
  medianTimeToResolutionMs: z.number().nullable(),
  topErrorCodes: z.array(z.object({ code: z.string(), count: z.number().int() })),
  /** Per flow step: sessions that reached it, and the abandoned ones whose last step it was. */
  dropOff: z.array(
    z.object({
      flowId: z.string(),
      stepId: z.string(),
      reached: z.number().int(),
      dropped: z.number().int(),
      rate: z.number().min(0).max(1),
    }),
  ),
});
export type KpiResponse = z.infer<typeof kpiResponse>;
