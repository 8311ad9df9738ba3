import { z } from 'zod';
import { safeId } from '../ids.js';
import { BUNDLE_MAX_RANGE_MS, bundleContent } from '../messages/bundle.js';
import { staffRef } from './cases.js';

/**
 * POST /api/cases/:id/bundles (issue 17, "Support bundles"): ask the case's device for a bundle over
 * `from`..`to` (ms since epoch). Both optional: the default is the last 24 h; at most 7 days.
 */
export const bundleRequestBody = z
  .object({ from: z.number().int().nonnegative().optional(), to: z.number().int().nonnegative().optional() })
  .refine(
    (b) => b.from === undefined || b.to === undefined || (b.from < b.to && b.to - b.from <= BUNDLE_MAX_RANGE_MS),
    {
      message: 'from must be before to, and the range at most 7 days',
      path: ['to'],
    },
  );
export type BundleRequestBody = z.infer<typeof bundleRequestBody>;

/**
 * A bundle request's state: `requested` (waiting for the customer), `stored` (they sent it), `refused` (they
 * said no), `expired` (no answer in time), `failed` (the device could not offer one, or the fleet refused it,
 * `reason` says why).
 */
export const bundleStatus = z.enum(['requested', 'stored', 'refused', 'expired', 'failed']);
export type BundleStatus = z.infer<typeof bundleStatus>;

export const bundleSummary = z.object({
  id: safeId,
  caseId: safeId,
  deviceId: safeId,
  requestedBy: staffRef,
  requestedAt: z.number().int(),
  from: z.number().int(),
  to: z.number().int(),
  expiresAt: z.number().int(),
  status: bundleStatus,
  reason: z.string().nullable(),
  answeredAt: z.number().int().nullable(),
  sizeBytes: z.number().int().nullable(),
});
export type BundleSummary = z.infer<typeof bundleSummary>;

/** GET /api/cases/:id/bundles: every request on the case, newest first. */
export const bundleListResponse = z.object({ items: z.array(bundleSummary) });
export type BundleListResponse = z.infer<typeof bundleListResponse>;

/** GET /api/cases/:id/bundles/:bundleId: the stored bundle as the customer agreed to send it (a JSON file). */
export const bundleDownload = bundleSummary.extend({ consentAt: z.number().int(), bundle: bundleContent });
export type BundleDownload = z.infer<typeof bundleDownload>;
