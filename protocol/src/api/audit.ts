import { z } from 'zod';
import { safeId } from '../ids.js';
import { cursorPageOf, optionalQueryInt } from './common.js';

/** GET /api/audit: newest first; pass `nextCursor` back as `before`. */
export const auditQuery = z.object({
  deviceId: safeId.optional(),
  action: z.string().max(64).optional(),
  before: z
    .string()
    .regex(/^\d{1,15}$/)
    .optional(),
  limit: optionalQueryInt(1, 500).default(100),
});

export const auditEntryView = z.object({
  id: z.number().int(),
  at: z.number().int(),
  actor: z.string(),
  actorName: z.string().nullable(),
  actorRole: z.string().nullable(),
  action: z.string(),
  deviceId: z.string().nullable(),
  target: z.string().nullable(),
  outcome: z.enum(['ok', 'refused', 'failed']),
  detail: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEntryView = z.infer<typeof auditEntryView>;
export const auditResponse = cursorPageOf(auditEntryView);
export type AuditResponse = z.infer<typeof auditResponse>;
