import { z } from 'zod';

/**
 * Staged rollouts of help content and fleet-wide fixes (issue 18; docs/help-lifecycle.md): the console API.
 */

/** Which devices a cohort or a fix takes: a model, all of the tags, any of the firmware versions (`2.4` takes `2.4.1`). */
export const deviceQuery = z.strictObject({
  model: z.string().min(1).max(48),
  tags: z.array(z.string().min(1).max(64)).max(16).default([]),
  firmware: z.array(z.string().min(1).max(32)).max(16).default([]),
  /** An error code the device reports now (fleet-wide fixes). */
  errorCode: z.string().min(1).max(16).optional(),
});
export type DeviceQuery = z.infer<typeof deviceQuery>;

export const compareThresholds = z.strictObject({
  /** Ended help sessions each group needs before the rollout is judged. */
  minSessions: z.number().int().min(1).max(100_000),
  /** How much worse the new version may be: CES in points of 1–7, the others as a share (0.1 = 10 points). */
  ces: z.number().min(0).max(6),
  firstTouchResolution: z.number().min(0).max(1),
  escalationRate: z.number().min(0).max(1),
  dropOffRate: z.number().min(0).max(1),
  failedActionRate: z.number().min(0).max(1),
});
export type CompareThresholdsBody = z.infer<typeof compareThresholds>;

export const rolloutCohort = z.strictObject({
  percent: z.number().gt(0).max(100),
  tags: z.array(z.string().min(1).max(64)).max(16).default([]),
  firmware: z.array(z.string().min(1).max(32)).max(16).default([]),
});

/** POST /api/rollouts (admin): an approved content version to a cohort, in waves. */
export const createRolloutBody = z.strictObject({
  versionId: z.string().min(1).max(64),
  cohort: rolloutCohort,
  waves: z.number().int().min(1).max(10),
  thresholds: compareThresholds.partial().optional(),
});
export type CreateRolloutBody = z.infer<typeof createRolloutBody>;

export const kpiName = z.enum(['ces', 'firstTouchResolution', 'escalationRate', 'dropOffRate', 'failedActionRate']);

/** The last KPI comparison of the new version against the control, with its verdict and reasons. */
export const rolloutComparison = z.object({
  verdict: z.enum(['continue', 'advance', 'abort']),
  reasons: z.array(z.string()),
  sessions: z.object({ candidate: z.number().int(), control: z.number().int() }),
  kpis: z.array(
    z.object({
      kpi: kpiName,
      candidate: z.number().nullable(),
      control: z.number().nullable(),
      worseBy: z.number().nullable(),
      threshold: z.number(),
      breached: z.boolean(),
    }),
  ),
});
export type RolloutComparison = z.infer<typeof rolloutComparison>;

export const rolloutStatus = z.enum(['running', 'paused', 'completed', 'aborted']);
export type RolloutStatusName = z.infer<typeof rolloutStatus>;

/** Per group (`wave 1`, `wave 2`…, `control`): devices, and those running the content they should. */
export const rolloutConvergence = z.object({
  group: z.string(),
  devices: z.number().int(),
  converged: z.number().int(),
});

export const rolloutView = z.object({
  id: z.string(),
  model: z.string(),
  versionId: z.string(),
  versionNumber: z.number().int(),
  sha256: z.string(),
  cohort: rolloutCohort,
  thresholds: compareThresholds,
  waves: z.number().int(),
  wave: z.number().int(),
  status: rolloutStatus,
  verdict: rolloutComparison.nullable(),
  reason: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  convergence: z.array(rolloutConvergence),
});
export type RolloutViewBody = z.infer<typeof rolloutView>;
export const rolloutListResponse = z.object({ items: z.array(rolloutView) });

/** POST /api/fleet-fixes (agent; help.install is an admin's): one action to every matching device, in waves. */
export const startFixBody = z.strictObject({
  action: z.string().min(1).max(64),
  params: z.record(z.string().max(64), z.unknown()).default({}),
  query: deviceQuery,
  waves: z.number().int().min(1).max(10),
  maxFailureRate: z.number().min(0).max(1),
  ttlMs: z
    .number()
    .int()
    .min(1_000)
    .max(7 * 24 * 3_600_000)
    .optional(),
});
export type StartFixBody = z.infer<typeof startFixBody>;

export const fixDeviceStatus = z.enum(['pending', 'sent', 'succeeded', 'failed', 'skipped', 'unreached', 'not-sent']);
export const fixReport = z.object({
  id: z.string(),
  action: z.string(),
  params: z.record(z.string(), z.unknown()),
  query: deviceQuery,
  waves: z.number().int(),
  wave: z.number().int(),
  maxFailureRate: z.number(),
  status: z.enum(['running', 'completed', 'stopped', 'aborted']),
  reason: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  counts: z.record(fixDeviceStatus, z.number().int()),
  devices: z.array(
    z.object({
      deviceId: z.string(),
      wave: z.number().int(),
      commandId: z.string().nullable(),
      status: fixDeviceStatus,
      reason: z.string().nullable(),
    }),
  ),
});
export type FixReportBody = z.infer<typeof fixReport>;
export const fixListResponse = z.object({ items: z.array(fixReport) });
