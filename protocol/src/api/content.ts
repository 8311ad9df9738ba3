import { z } from 'zod';
import { deviceProfile } from '../profile.js';

/**
 * The flow studio's API (issue 18, docs/help-lifecycle.md): content versions of a model, their review, and
 * the proposals with their evidence. A version's body is the signed part of a help content document
 * (content-signing.ts `HelpContentBody`): flow files by name, images as base64 by path.
 */
const relPath = z
  .string()
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'must be a relative path of A-Z a-z 0-9 . _ - /')
  .refine((p) => !p.split('/').includes('..'), 'may not contain ..');

export const contentBody = z.strictObject({
  flows: z.record(relPath.regex(/^[^/]+\.json$/, 'flow files sit at the top level and end in .json'), z.unknown()),
  images: z.record(
    relPath,
    z
      .string()
      .max(2 * 1024 * 1024)
      .regex(/^[A-Za-z0-9+/=]*$/, 'must be base64'),
  ),
});
export type ContentBody = z.infer<typeof contentBody>;

export const contentStatus = z.enum(['draft', 'proposed', 'approved', 'rejected']);
export type ContentStatus = z.infer<typeof contentStatus>;

export const contentRoleSchema = z.enum(['editor', 'reviewer']);

export const contentVersionInfo = z.object({
  id: z.string(),
  model: z.string(),
  number: z.number().int().positive(),
  parentId: z.string().nullable(),
  status: contentStatus,
  baseline: z.boolean(),
  summary: z.string(),
  sha256: z.string(),
  problems: z.number().int().nonnegative(),
  author: z.string(),
  /** The author's and reviewer's display names, for the history. */
  authorName: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  proposedAt: z.number().nullable(),
  reviewer: z.string().nullable(),
  reviewerName: z.string().nullable(),
  reviewedAt: z.number().nullable(),
  reviewNote: z.string().nullable(),
});
export type ContentVersionInfoView = z.infer<typeof contentVersionInfo>;

export const flowProblemView = z.object({ file: z.string(), path: z.string(), code: z.string(), message: z.string() });

/** GET /api/content/me: the signed-in member's content roles. */
export const contentMeResponse = z.object({ roles: z.array(contentRoleSchema) });

/** GET /api/content/models: the models of the broker's models dirs. */
export const contentModelsResponse = z.object({
  items: z.array(
    z.object({ model: z.string(), flows: z.number().int().nonnegative(), baseline: z.number().int().nullable() }),
  ),
});

/** GET /api/content/models/:model: its profile (for the validator and the preview) and its versions, newest first. */
export const contentModelResponse = z.object({
  model: z.string(),
  profile: deviceProfile,
  versions: z.array(contentVersionInfo),
});
export type ContentModelResponse = z.infer<typeof contentModelResponse>;

/** GET /api/content/versions/:id and every change of one: the version with its body and the validator's problems. */
export const contentVersionResponse = z.object({
  version: contentVersionInfo.extend({ body: contentBody }),
  problems: z.array(flowProblemView),
});
export type ContentVersionResponse = z.infer<typeof contentVersionResponse>;

const summaryText = z.string().trim().min(1).max(280);

/** POST /api/content/models/:model/drafts */
export const createDraftRequest = z.strictObject({
  parentId: z.string().max(64),
  body: contentBody,
  summary: summaryText,
});
/** POST /api/content/versions/:id/save */
export const saveDraftRequest = z.strictObject({ body: contentBody, summary: summaryText });
/** POST /api/content/versions/:id/approve and /reject (a reason is required to reject). */
export const reviewRequest = z.strictObject({ note: z.string().trim().max(500).optional() });

/** Why a proposal was made: what customers found hard (the rating screen's tap choices) or staff saw. */
export const proposalReason = z.enum([
  'unclear-text',
  'wrong-step',
  'missing-step',
  'too-long',
  'did-not-work',
  'other',
]);
export type ProposalReason = z.infer<typeof proposalReason>;

export const proposalView = z.object({
  id: z.string(),
  model: z.string(),
  source: z.enum(['staff', 'customer', 'maker']),
  author: z.string(),
  flowId: z.string().nullable(),
  stepId: z.string().nullable(),
  reasons: z.array(proposalReason),
  text: z.string(),
  caseId: z.string().nullable(),
  deviceId: z.string().nullable(),
  rating: z.number().int().nullable(),
  versionId: z.string().nullable(),
  status: z.enum(['open', 'addressed', 'dismissed']),
  createdAt: z.number(),
});
export type ProposalView = z.infer<typeof proposalView>;

/**
 * POST /api/content/proposals: staff propose a change from a case ("this step confused the customer");
 * `touchpoint flows propose` records a maker's proposed version (`source: maker`, `versionId`).
 */
export const createProposalRequest = z.strictObject({
  source: z.enum(['staff', 'maker']).default('staff'),
  versionId: z.string().max(64).optional(),
  model: z.string().min(1).max(48),
  flowId: z.string().min(1).max(64),
  stepId: z.string().max(64).optional(),
  caseId: z.string().max(64).optional(),
  reasons: z.array(proposalReason).max(6).default([]),
  text: z.string().trim().min(1).max(1000),
});

/** GET /api/content/models/:model/proposals: newest first, with the evidence each carries. */
export const proposalsResponse = z.object({ items: z.array(proposalView) });

/** POST /api/staff/:id/content-roles (admin) */
export const contentRolesRequest = z.strictObject({ roles: z.array(contentRoleSchema).max(2) });
export const contentRolesResponse = z.object({ roles: z.array(contentRoleSchema) });
