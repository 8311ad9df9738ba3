import { BUNDLE_MAX_BYTES, CHAT_UP_MAX_BYTES, type DeviceTopicKind } from '@touchpoint/protocol';

/**
 * The largest payload stored per kind of record, well below the 256 KiB packet
 * limit (issue 12 #9). Each is about twice the largest message an honest agent
 * builds: a diagnostics snapshot with every profile sensor, 32 network
 * interfaces and 64 extra values is under 32 KiB; an event under 2 KiB; a case
 * with a long help session's trace and a snapshot under 64 KiB.
 */
export interface RecordLimits {
  diagnosticsBytes: number;
  eventBytes: number;
  caseBytes: number;
  /** Presence, command results and WebRTC signalling (an SDP offer is at most 20,000 characters). */
  otherBytes: number;
}

export const DEFAULT_RECORD_LIMITS: RecordLimits = {
  diagnosticsBytes: 64 * 1024,
  eventBytes: 8 * 1024,
  caseBytes: 128 * 1024,
  otherBytes: 32 * 1024,
};

/** The cap for a message on a device topic of this kind. */
export function recordCap(kind: DeviceTopicKind | 'signal', limits: RecordLimits): number {
  if (kind === 'diagnostics') return limits.diagnosticsBytes;
  if (kind === 'events') return limits.eventBytes;
  if (kind === 'caseOpen') return limits.caseBytes;
  // A support bundle (issue 17): the protocol's one limit, which the agent checks before it asks the customer.
  if (kind === 'bundle') return BUNDLE_MAX_BYTES;
  // A chat message (issue 17): room for one image the customer agreed to send, and no more.
  if (kind === 'chat') return CHAT_UP_MAX_BYTES;
  // Everything else a device may send is small; topics it may not send are refused later, after this cap.
  return limits.otherBytes;
}
