import { z } from 'zod';
import { integrationName, integrationRights } from '../integration.js';

/**
 * Integration accounts in the console API (issue 13; docs/integrations.md).
 * Admin only. Token hashes never leave the broker; a token is in a response
 * exactly once, when it is made (create, rotate).
 */

/** One account as the console lists it. */
export const integrationView = z.object({
  name: z.string(),
  rights: integrationRights,
  /** The prefix its MQTT client ids must carry (the rights' own, or `NAME-`). */
  clientIdPrefix: z.string(),
  /** The broker's built-in service account: shown, never rotated or revoked here. */
  builtin: z.boolean(),
  createdAt: z.number().int(),
  createdBy: z.string(),
  rotatedAt: z.number().int().nullable(),
  revokedAt: z.number().int().nullable(),
});
export type IntegrationView = z.infer<typeof integrationView>;

/** GET /api/integrations (admin) */
export const integrationListResponse = z.object({ items: z.array(integrationView) });
export type IntegrationListResponse = z.infer<typeof integrationListResponse>;

/** POST /api/integrations (admin): a name and its rights; the broker also checks `integrationRightsProblems`. */
export const createIntegrationRequest = integrationRights.extend({ name: integrationName });
export type CreateIntegrationRequest = z.input<typeof createIntegrationRequest>;

/** POST /api/integrations (201) and POST /api/integrations/:name/rotate: the MQTT password, shown once. */
export const integrationWithToken = z.object({ account: integrationView, token: z.string().min(1) });
export type IntegrationWithToken = z.infer<typeof integrationWithToken>;

/** POST /api/integrations/:name/revoke */
export const revokeIntegrationResponse = z.object({ account: integrationView });
export type RevokeIntegrationResponse = z.infer<typeof revokeIntegrationResponse>;
