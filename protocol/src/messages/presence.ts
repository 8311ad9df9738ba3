import { z } from 'zod';
import { deviceIdField, messageBase } from './base.js';

/**
 * On `presence`: the birth message is `online`, the last will is `offline`. The agent retains them for other
 * subscribers; the fleet takes presence from the stream and never from a retained copy (issue 15).
 */
export const presenceMessage = z.object({
  ...messageBase,
  deviceId: deviceIdField,
  state: z.enum(['online', 'offline']),
  /** Set per connection, so the fleet can tell an old connection's will from the live one. */
  connectionId: z.string().min(1).max(64),
  model: z.string().max(64).optional(),
  agentVersion: z.string().max(32).optional(),
  firmwareVersion: z.string().max(32).optional(),
  profileVersion: z.string().max(32).optional(),
  /**
   * The help content the device runs: the SHA-256 of the signed content document it installed (help.install),
   * absent while it runs the content it was built with. The fleet compares it with the desired version (issue 18).
   */
  contentVersion: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type PresenceMessage = z.infer<typeof presenceMessage>;
