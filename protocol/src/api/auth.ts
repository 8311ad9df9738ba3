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

/**
 * POST /api/login and GET /api/me: who is logged in, and the CSRF token for state-changing requests.
 * `mustChangePassword`: the member logged in with a generated password (first start, a new account, an
 * admin's reset); until they choose their own, the API answers only /api/me, logout and the password change.
 */
export const sessionView = z.object({
  staff: staffView,
  csrfToken: z.string().min(16).max(128),
  expiresAt: z.number().int(),
  mustChangePassword: z.boolean(),
});
export type SessionView = z.infer<typeof sessionView>;

/** Shortest self-chosen password (the generated ones are 20 characters). */
export const PASSWORD_MIN_LENGTH = 12;

/** POST /api/me/password: every member changes their own password; the answer is a fresh session. */
export const changePasswordRequest = z
  .object({
    currentPassword: z.string().min(1).max(256),
    newPassword: z.string().min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`).max(256),
  })
  .refine((b) => b.newPassword !== b.currentPassword, {
    message: 'must differ from the current password',
    path: ['newPassword'],
  });
export type ChangePasswordRequest = z.infer<typeof changePasswordRequest>;

/** The header every state-changing request carries (double-submit of the session's CSRF token). */
export const CSRF_HEADER = 'x-csrf-token';
