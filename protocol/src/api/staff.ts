import { z } from 'zod';
import { staffRoleSchema, staffView } from './auth.js';

/** GET /api/staff (admin) */
export const staffListResponse = z.object({ items: z.array(staffView.extend({ disabled: z.boolean() })) });
export type StaffListResponse = z.infer<typeof staffListResponse>;

/** POST /api/staff (admin): the generated password is shown once. */
export const createStaffRequest = z.object({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9._-]{1,31}$/, 'must be 2-32 lower-case characters (a-z 0-9 . _ -), starting with a letter'),
  displayName: z.string().trim().min(1).max(64),
  role: staffRoleSchema,
});
export type CreateStaffRequest = z.infer<typeof createStaffRequest>;

/** POST /api/staff/:id (admin): change role, disable/enable, or issue a new one-time password. */
export const updateStaffRequest = z.object({
  role: staffRoleSchema.optional(),
  disabled: z.boolean().optional(),
  resetPassword: z.literal(true).optional(),
});
export type UpdateStaffRequest = z.infer<typeof updateStaffRequest>;

export const staffWithPassword = z.object({ staff: staffView, password: z.string().optional() });

/** POST /api/staff/:id/unlock (admin): lifts the login locks of the account from every address. */
export const unlockStaffResponse = z.object({ staff: staffView, locksLifted: z.number().int().min(0) });
export type UnlockStaffResponse = z.infer<typeof unlockStaffResponse>;

/** GET /api/health (admin): the broker's counters; the unauthenticated /healthz says only whether it is up. */
export const healthResponse = z.object({ ok: z.literal(true), counters: z.record(z.string(), z.number()) });
export type HealthResponse = z.infer<typeof healthResponse>;
