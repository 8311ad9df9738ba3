import { z } from 'zod';
import { safeId } from '../ids.js';
import { caseStatus } from '../messages/case.js';
import { commandStatus } from '../messages/command.js';
import { diagnosticsMessage, linkState } from '../messages/diagnostics.js';
import { deviceEventMessage, helpTraceEntry } from '../messages/events.js';
import { chatLiveChange } from './chat.js';
import { deviceHealth } from './devices.js';

/**
 * The console's live channel: server-sent events at GET /api/live.
 * Without `device`, the stream carries fleet-wide changes (presence, health,
 * cases, command states); with `device=<id>` it also carries that device's
 * diagnostics, events and help-session trace. Video calls have their own
 * per-session stream (see docs/video.md).
 */
export const liveQuery = z.object({ device: safeId.optional() });

export const liveEvent = z.discriminatedUnion('type', [
  /** First event on every (re)connection. `resumed`: no events were lost since Last-Event-ID. */
  z.object({
    type: z.literal('hello'),
    streamId: z.string(),
    device: safeId.nullable(),
    resumed: z.boolean(),
    at: z.number().int(),
  }),
  z.object({ type: z.literal('presence'), deviceId: safeId, online: z.boolean(), at: z.number().int() }),
  /** A device's errors, link or health changed. */
  z.object({
    type: z.literal('health'),
    deviceId: safeId,
    errors: z.array(z.string()),
    link: linkState.nullable(),
    health: deviceHealth,
  }),
  z.object({ type: z.literal('diagnostics'), deviceId: safeId, diagnostics: diagnosticsMessage }),
  z.object({
    type: z.literal('device-event'),
    deviceId: safeId,
    at: z.number().int(),
    event: deviceEventMessage.shape.event,
  }),
  z.object({
    type: z.literal('help'),
    deviceId: safeId,
    sessionId: z.string(),
    flowId: z.string(),
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
    commandId: z.string(),
    deviceId: safeId,
    status: commandStatus,
    code: z.string().optional(),
    reason: z.string().optional(),
  }),
  /** A case's chat changed (issue 17, "Live chat"): a message, a tap, a read mark, or typing. */
  chatLiveChange.extend({ type: z.literal('chat') }),
  /** The server dropped this stream's backlog or is shutting down: refetch, the stream reconnects. */
  z.object({ type: z.literal('resync'), reason: z.string() }),
]);
export type LiveEvent = z.infer<typeof liveEvent>;
export type LiveEventType = LiveEvent['type'];
