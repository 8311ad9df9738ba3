import { z } from 'zod';
import { safeId } from '../ids.js';
import { commandStatus } from '../messages/command.js';

/** POST /api/devices/:id/commands: push a fix (or `diagnostics.request`) from the model's catalog. */
export const sendCommandRequest = z.object({
  action: z.string().min(1).max(64),
  params: z.record(z.string().max(64), z.unknown()).default({}),
  /** How long an offline device may still receive it; 1 s to 7 days, default 10 minutes. */
  ttlMs: z
    .number()
    .int()
    .min(1_000)
    .max(7 * 24 * 60 * 60 * 1000)
    .optional(),
});
export type SendCommandRequest = z.input<typeof sendCommandRequest>;

export const commandView = z.object({
  id: z.string(),
  deviceId: safeId,
  action: z.string(),
  params: z.record(z.string(), z.unknown()),
  issuedBy: z.string(),
  issuedByName: z.string().nullable(),
  issuedAt: z.number().int(),
  expiresAt: z.number().int(),
  status: commandStatus,
  updatedAt: z.number().int(),
  history: z.array(
    z.object({ status: z.string(), code: z.string().nullable(), reason: z.string().nullable(), at: z.number().int() }),
  ),
});
export type CommandView = z.infer<typeof commandView>;

/** GET /api/devices/:id/commands */
export const commandListResponse = z.object({ items: z.array(commandView) });

/** queued -> delivered -> accepted -> succeeded | failed; or rejected / expired. */
export const TERMINAL_COMMAND_STATUSES = ['rejected', 'succeeded', 'failed', 'expired'] as const;
