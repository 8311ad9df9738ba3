import { z } from 'zod';
import { safeId } from '../ids.js';
import { iceServerConfig } from './ice-server.js';
import { uiRequestBase } from './local-ui.js';

/**
 * The video call's contracts besides MQTT signalling (`signal.ts`):
 *  - the peer-to-peer payloads (offer, answer, ICE) as each hop carries them;
 *  - the touch UI <-> agent `video.*` messages on the loopback WebSocket;
 *  - the console's and the phone's HTTP API and their per-session event stream.
 * Consent is only ever given on the device or on the phone that holds the link.
 */

const sdp = z.string().min(1).max(20_000);

/** What two peers exchange; every hop wraps it with its own binding (session, staff, seq). */
export const peerSignal = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('offer'), sdp, iceRestart: z.boolean().optional() }),
  z.object({ kind: z.literal('answer'), sdp }),
  z.object({
    kind: z.literal('ice'),
    candidate: z.string().max(1024),
    sdpMid: z.string().max(64).nullable(),
    sdpMLineIndex: z.number().int().nullable(),
  }),
]);
export type PeerSignal = z.infer<typeof peerSignal>;

/** What both sides show. */
export const callState = z.enum(['ringing', 'connecting', 'connected', 'reconnecting', 'ended']);
export type CallState = z.infer<typeof callState>;

/** Who ended a call; `timeout` when nobody answered in time. */
export const callParty = z.enum(['device', 'staff', 'phone', 'timeout']);
export type CallParty = z.infer<typeof callParty>;

/** How a call ended, as the console words it: declined, no answer (timeout), or hung up after it ran. */
export const callOutcome = z.enum(['declined', 'timeout', 'hangup', 'offline', 'busy']);
export type CallOutcome = z.infer<typeof callOutcome>;

/** What the customer shares: the microphone always, the camera when the device (or phone) has one. */
export const callShares = z.object({ microphone: z.boolean(), camera: z.boolean() });

// ---- agent -> touch UI ----------------------------------------------------

export const videoRingMessage = z.object({
  type: z.literal('video.ring'),
  sessionId: safeId,
  staffName: z.string().max(64),
  shares: callShares,
  expiresAt: z.number().int(),
  iceServers: z.array(iceServerConfig).max(8),
});
export const videoSignalMessage = z.object({ type: z.literal('video.signal'), sessionId: safeId, signal: peerSignal });
export const videoHandoffMessage = z.object({
  type: z.literal('video.handoff'),
  sessionId: safeId,
  url: z.string().max(512),
  expiresAt: z.number().int().optional(),
});
export const videoEndedMessage = z.object({
  type: z.literal('video.ended'),
  sessionId: safeId,
  endedBy: callParty,
  reason: z.string().max(128).optional(),
});
export const videoUiMessage = z.discriminatedUnion('type', [
  videoRingMessage,
  videoSignalMessage,
  videoHandoffMessage,
  videoEndedMessage,
]);
export type VideoUiMessage = z.infer<typeof videoUiMessage>;
export type VideoRingMessage = z.infer<typeof videoRingMessage>;

// ---- touch UI -> agent (requests; the reply carries `data`) ---------------

export const videoConsentRequest = uiRequestBase.extend({
  type: z.literal('video.consent'),
  sessionId: safeId,
  decision: z.enum(['accepted', 'declined']),
});
export const videoSignalRequest = uiRequestBase.extend({
  type: z.literal('video.signal'),
  sessionId: safeId,
  signal: peerSignal,
});
export const videoHangupRequest = uiRequestBase.extend({ type: z.literal('video.hangup'), sessionId: safeId });
/** Ask the broker for a (fresh) phone link; it arrives as `video.handoff`. */
export const videoHandoffRequest = uiRequestBase.extend({ type: z.literal('video.handoff'), sessionId: safeId });
/** The UI's peer connection state, reported for the audit trail and the console. */
export const videoStatusRequest = uiRequestBase.extend({
  type: z.literal('video.status'),
  sessionId: safeId,
  status: z.enum(['connected', 'reconnecting']),
});
/** The ringing or running call, for a UI that (re)connects mid-call; reply data is a `video.ring` message or null. */
export const videoCurrentRequest = uiRequestBase.extend({ type: z.literal('video.current') });

// ---- console and phone HTTP API -------------------------------------------

/** POST /api/video/sessions */
export const videoStartRequest = z.object({ deviceId: safeId, caseId: safeId.optional() });

export const videoSessionView = z.object({
  sessionId: safeId,
  deviceId: safeId,
  caseId: safeId.nullable(),
  staffId: z.string(),
  staffName: z.string(),
  /** ringing until consent; accepted until the customer's side reports ICE connected. */
  status: z.enum(['ringing', 'accepted', 'connected', 'ended']),
  /** Where the customer's side of the call runs once consented. */
  peer: z.enum(['device', 'phone']).nullable(),
  requestedAt: z.number().int(),
  expiresAt: z.number().int(),
  connectedAt: z.number().int().nullable(),
  endedAt: z.number().int().nullable(),
  endedBy: callParty.nullable(),
  outcome: callOutcome.nullable(),
  /** The device's profile says it has a camera; false: the console says so and offers the phone (issue 16). */
  deviceCamera: z.boolean(),
  iceServers: z.array(iceServerConfig),
});
export type VideoSessionView = z.infer<typeof videoSessionView>;

/** POST /api/video/sessions/:id/hangup */
export const videoHangupBody = z.object({ reason: z.string().max(128).optional() });

/** Events on GET /api/video/sessions/:id/events (console) and /api/video/phone/events (phone), as SSE `data:`. */
export const videoStreamEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('state'), session: videoSessionView }),
  z.object({
    type: z.literal('signal'),
    from: z.enum(['device', 'phone', 'staff']),
    seq: z.number().int().nonnegative(),
    signal: peerSignal,
  }),
]);
export type VideoStreamEvent = z.infer<typeof videoStreamEvent>;

/** POST /api/video/phone/claim { token }: the one use of a phone link. */
export const phoneClaimRequest = z.object({ token: z.string().min(16).max(128) });
export const phoneClaimResponse = z.object({
  sessionId: safeId,
  /** Bearer key for this phone's later calls; lives as long as the session. */
  key: z.string(),
  staffName: z.string(),
  iceServers: z.array(iceServerConfig),
  expiresAt: z.number().int(),
});
export type PhoneClaimResponse = z.infer<typeof phoneClaimResponse>;
export const phoneConsentRequest = z.object({ decision: z.enum(['accepted', 'declined']) });
