import { z } from 'zod';
import { deviceIdField, messageBase, sensorValue } from './base.js';

export const linkState = z.enum(['up', 'down', 'reopening']);
export type LinkState = z.infer<typeof linkState>;

export const mcuInfo = z.object({
  model: z.string().max(64),
  serial: z.string().max(64),
  firmwareVersion: z.string().max(32),
});
export type McuInfo = z.infer<typeof mcuInfo>;

export const hostMetrics = z.object({
  uptimeS: z.number().nonnegative(),
  load: z.array(z.number()).max(3),
  memTotalBytes: z.number().nonnegative(),
  memFreeBytes: z.number().nonnegative(),
  diskTotalBytes: z.number().nonnegative().optional(),
  diskFreeBytes: z.number().nonnegative().optional(),
  net: z.array(z.object({ name: z.string().max(32), address: z.string().max(64), family: z.string().max(8) })).max(32),
});
export type HostMetrics = z.infer<typeof hostMetrics>;

export const agentHealth = z.object({
  outboxDepth: z.number().int().nonnegative(),
  outboxDropped: z.number().int().nonnegative(),
  reconnects: z.number().int().nonnegative(),
  link: linkState,
  uptimeS: z.number().nonnegative(),
  /** Optional agent extensions that failed to start and are not running (issue 14); absent when none. */
  failedExtensions: z.array(z.string().max(64)).max(32).optional(),
  /** Until when (ms since epoch) the customer allows remote control on the touchscreen (issue 16); absent: not allowed. */
  remoteControlUntil: z.number().int().nonnegative().optional(),
});
export type AgentHealth = z.infer<typeof agentHealth>;

/** A diagnostics snapshot: device data, never personal data. */
export const diagnosticsMessage = z.object({
  ...messageBase,
  deviceId: deviceIdField,
  /**
   * `remote-control`: the customer allowed or ended remote control, or it ran out (issue 16).
   * `command`: a staff command just finished, so the fleet sees its effect at once (issue 16).
   */
  reason: z.enum(['periodic', 'request', 'case', 'remote-control', 'command']),
  mcu: z.object({
    info: mcuInfo.optional(),
    sensors: z.record(z.string().max(64), sensorValue),
    errors: z.array(z.string().max(16)).max(64),
    /** Gaps in the MCU's event numbering since the agent started (lost events, repaired by a re-read; issue 13). */
    eventGaps: z.number().int().nonnegative().optional(),
  }),
  host: hostMetrics.optional(),
  agent: agentHealth,
  /** Extra diagnostics contributed by device-maker hooks. */
  extra: z.record(z.string().max(64), sensorValue).optional(),
});
export type DiagnosticsMessage = z.infer<typeof diagnosticsMessage>;
