import { z } from 'zod';
import { chatLiveChange } from './api/chat.js';
import { safeId } from './ids.js';
import { caseStatus } from './messages/case.js';
import { commandStatus } from './messages/command.js';
import { diagnosticsMessage } from './messages/diagnostics.js';
import { deviceEventMessage, helpTraceEntry } from './messages/events.js';

/**
 * The live channel between Touchpoint's processes in cluster mode (issue 15, docs/scale-out.md
 * "The live channel"): a fleet worker that stored a report, or an API process where a staff member
 * acted, publishes what its LiveBus announced on the engine's `tp.live` exchange; every API process
 * feeds it into its own LiveBus, so the console's streams on any process see every change. One
 * message is one LiveBus event, as the bus names it; what the console derives (health) each process
 * derives itself. Checked on receipt like every message that crosses a process boundary.
 */
export const LIVE_RELAY_VERSION = 1;

/** Who published: one id per process start, so a process skips its own events coming back. */
const origin = z.string().min(1).max(64);

export const liveRelayEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('presence'), deviceId: safeId, online: z.boolean(), at: z.number().int() }),
  /** The stored snapshot, and its payload's size as the device sent it (the hub's backlog counts it). */
  z.object({ type: z.literal('diagnostics'), diagnostics: diagnosticsMessage, bytes: z.number().int().min(0) }),
  z.object({
    type: z.literal('event'),
    deviceId: safeId,
    at: z.number().int(),
    event: deviceEventMessage.shape.event,
  }),
  z.object({
    type: z.literal('help'),
    deviceId: safeId,
    sessionId: z.string().min(1).max(128),
    flowId: z.string().min(1).max(128),
    entry: helpTraceEntry,
  }),
  z.object({
    type: z.literal('case'),
    caseId: safeId,
    deviceId: safeId,
    status: caseStatus,
    change: z.enum(['opened', 'updated']),
  }),
  z.object({
    type: z.literal('command'),
    commandId: z.string().min(1).max(128),
    deviceId: safeId,
    status: commandStatus,
    code: z.string().max(128).optional(),
    reason: z.string().max(1024).optional(),
  }),
  /** A case's chat changed (issue 17, "Live chat"). */
  chatLiveChange.extend({ type: z.literal('chat') }),
]);
export type LiveRelayEvent = z.infer<typeof liveRelayEvent>;

export const liveRelayMessage = z.object({
  v: z.literal(LIVE_RELAY_VERSION),
  origin,
  event: liveRelayEvent,
});
export type LiveRelayMessage = z.infer<typeof liveRelayMessage>;
