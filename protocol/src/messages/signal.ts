import { z } from 'zod';
import { safeId } from '../ids.js';
import { messageBase } from './base.js';
import { iceServerConfig } from './ice-server.js';
import { callParty } from './video.js';

/**
 * WebRTC signalling on `rtc/{sessionId}/up|down`. Each message is bound to a
 * session and a staff member and carries a sequence number, so a message from
 * another session, another staff member or a replay is rejected.
 */
const signalBase = {
  ...messageBase,
  sessionId: safeId,
  seq: z.number().int().nonnegative(),
  staffId: z.string().min(1).max(64),
  from: z.enum(['device', 'staff', 'phone']),
};

export const signalMessage = z.discriminatedUnion('kind', [
  z.object({
    ...signalBase,
    kind: z.literal('request'),
    staffName: z.string().max(64),
    media: z.object({ audio: z.boolean(), video: z.boolean() }),
    expiresAt: z.number().int(),
    iceServers: z.array(iceServerConfig).max(8).optional(),
  }),
  z.object({
    ...signalBase,
    kind: z.literal('consent'),
    decision: z.enum(['accepted', 'declined']),
    capabilities: z.object({ camera: z.boolean(), microphone: z.boolean() }).optional(),
  }),
  z.object({
    ...signalBase,
    kind: z.literal('offer'),
    sdp: z.string().max(20_000),
    iceRestart: z.boolean().optional(),
  }),
  z.object({ ...signalBase, kind: z.literal('answer'), sdp: z.string().max(20_000) }),
  z.object({
    ...signalBase,
    kind: z.literal('ice'),
    candidate: z.string().max(1024),
    sdpMid: z.string().max(64).nullable(),
    sdpMLineIndex: z.number().int().nullable(),
  }),
  /**
   * `endedBy` says who ended the call, set by the side that ends it (issue 14): the device never guesses it from
   * `reason`, which staff may type freely. Absent from older senders; the device then assumes staff (or timeout).
   */
  z.object({
    ...signalBase,
    kind: z.literal('hangup'),
    reason: z.string().max(128).optional(),
    endedBy: callParty.optional(),
  }),
  /** down: a single-use phone link for this session (the device shows it as a QR code). */
  z.object({
    ...signalBase,
    kind: z.literal('handoff'),
    url: z.string().max(512),
    expiresAt: z.number().int().optional(),
  }),
  /** up: the device asks for a fresh phone link (the previous one expired or was used). */
  z.object({ ...signalBase, kind: z.literal('handoff-request') }),
]);
export type SignalMessage = z.infer<typeof signalMessage>;
export type SignalKind = SignalMessage['kind'];
