import { z } from 'zod';

export const staffRoleSchema = z.enum(['viewer', 'agent', 'admin']);
export type ApiStaffRole = z.infer<typeof staffRoleSchema>;

export const staffView = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(32),
  displayName: z.string().min(1).max(64),
  role: staffRoleSchema,
});
export type StaffView = z.infer<typeof staffView>;

/** POST /api/login */
export const loginRequest = z.object({
  name: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});
export type LoginRequest = z.infer<typeof loginRequest>;

/** POST /api/login and GET /api/me: who is logged in, and the CSRF token for state-changing requests. */
export const sessionView = z.object({
  staff: staffView,
  csrfToken: z.string().min(16).max(128),
  expiresAt: z.number().int(),
});
export type SessionView = z.infer<typeof sessionView>;

/** The header every state-changing request carries (double-submit of the session's CSRF token). */
export const CSRF_HEADER = 'x-csrf-token';
