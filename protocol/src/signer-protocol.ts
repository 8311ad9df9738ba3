import { z } from 'zod';
import { commandEnvelope } from './messages/command.js';
import { signedKeyList } from './key-list.js';

/**
 * The signer protocol (issue 12 item 10): one JSON object per line over a
 * unix socket between the broker and `touchpoint signer`, the process that
 * holds the command key. The broker asks; the signer applies its own action
 * allow-list and rate limit before it signs, so a compromised broker can sign
 * only what that policy lets through, and never holds the key itself.
 */
export const SIGNER_MAX_LINE_BYTES = 64 * 1024;

/** Everything of a command but `keyId` and `sig`: the signer chooses its current key. */
export const signRequestCommand = z.strictObject(commandEnvelope.omit({ keyId: true, sig: true }).shape);
export type SignRequestCommand = z.infer<typeof signRequestCommand>;

const requestId = z.string().min(1).max(64);
const publicKey = z.strictObject({ keyId: z.string().min(1).max(64), publicKeyPem: z.string().max(512) });

export const signerRequest = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('sign'), rid: requestId, command: signRequestCommand }),
  /** The current signed key list and the public half of the current key. */
  z.strictObject({ op: z.literal('keys'), rid: requestId }),
]);
export type SignerRequest = z.infer<typeof signerRequest>;

const failure = z.strictObject({
  rid: requestId.optional(),
  ok: z.literal(false),
  code: z.string().max(32),
  reason: z.string().max(512),
});

export const signerResponse = z.union([
  z.strictObject({
    rid: requestId,
    ok: z.literal(true),
    op: z.literal('sign'),
    envelope: commandEnvelope,
    keyListVersion: z.number().int().min(1),
  }),
  z.strictObject({
    rid: requestId,
    ok: z.literal(true),
    op: z.literal('keys'),
    keyList: signedKeyList,
    current: publicKey,
    /** The public half of the root that signed the list, for new device configs. */
    roots: z.array(publicKey).max(8),
  }),
  failure,
]);
export type SignerResponse = z.infer<typeof signerResponse>;
