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
  /** Help sessions started in the period, by how they ended. */
  helpSessions: z.object({
    total: z.number().int(),
    resolved: z.number().int(),
    escalated: z.number().int(),
    abandoned: z.number().int(),
    inProgress: z.number().int(),
  }),
  /** resolved / total: solved on the device without staff. null when there were no sessions. */
  firstTouchResolution: share,
  /** escalated / total. */
  escalationRate: share,
  /** Average CES per flow, 1 = very difficult … 7 = very easy: higher is better (issue 16). */
  cesPerFlow: z.array(z.object({ flowId: z.string(), average: z.number(), count: z.number().int() })),
  /** Cases opened in the period and resolved (or closed) by now. */
  casesResolved: z.number().int(),
  medianTimeToResolutionMs: z.number().nullable(),
  topErrorCodes: z.array(z.object({ code: z.string(), count: z.number().int() })),
  /** Per flow step: sessions that reached it, and those whose last step it was without a resolution. */
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
