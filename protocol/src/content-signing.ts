import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical.js';
import { ErrorCode, fail, ok, type Result } from './errors.js';
import type { SignerKey, TrustedKey } from './signing.js';

/**
 * Ed25519 signatures on help content (issue 12 item 7), Node only.
 *
 * Help content is signed by the device maker's *content key*, never by the
 * fleet's command key: a broker that can push commands cannot by itself put
 * new pages on the customer's screen. The signed statement is
 *
 *   canonicalJson({ kind, keyId, model, signedAt, contentSha256 })
 *
 * where contentSha256 is the SHA-256 of canonicalJson({ flows, images }). The
 * `kind` field separates the domains: no command envelope ever carries it, so
 * a command signature can never pass as a content signature or the reverse.
 */
export const HELP_CONTENT_KIND = 'touchpoint.help-content.v1';

export const helpContentSignature = z.strictObject({
  keyId: z.string().min(1).max(64),
  /** The device model the content was made for; a device refuses content for another model. */
  model: z.string().min(1).max(48),
  signedAt: z.number().int().nonnegative(),
  sig: z.string().min(1).max(256),
});
export type HelpContentSignature = z.infer<typeof helpContentSignature>;

/** A content key file as `touchpoint content keygen` writes it (read by runtime's readContentKeyFile). */
export const contentKeyFile = z.strictObject({
  keyId: z.string().min(1).max(64),
  privateKeyPem: z.string().includes('PRIVATE KEY'),
  publicKeyPem: z.string().includes('PUBLIC KEY'),
  purpose: z.literal('help-content'),
});

/** The part of a content document that is signed. */
export interface HelpContentBody {
  flows: Record<string, unknown>;
  images: Record<string, string>;
}

export type SignedHelpContent = HelpContentBody & { signature: HelpContentSignature };

function statement(body: HelpContentBody, meta: Omit<HelpContentSignature, 'sig'>): Buffer {
  const contentSha256 = createHash('sha256')
    .update(canonicalJson({ flows: body.flows, images: body.images }), 'utf8')
    .digest('hex');
  return Buffer.from(
    canonicalJson({
      kind: HELP_CONTENT_KIND,
      keyId: meta.keyId,
      model: meta.model,
      signedAt: meta.signedAt,
      contentSha256,
    }),
    'utf8',
  );
}

/** Sign content for one model with a content key (`touchpoint content pack` does this). */
export function signHelpContent(
  body: HelpContentBody,
  model: string,
  key: SignerKey,
  signedAt: number = Date.now(),
): SignedHelpContent {
  const meta = { keyId: key.keyId, model, signedAt };
  const sig = sign(null, statement(body, meta), createPrivateKey(key.privateKeyPem)).toString('base64');
  return { flows: body.flows, images: body.images, signature: { ...meta, sig } };
}

/**
 * Check a content signature against the device's content keys and its model.
 * UNTRUSTED_KEY: the key id is not a content key of this device (a command key
 * included: those live in another list). BAD_SIGNATURE: the signature does not
 * cover these bytes, or it was made for another model.
 */
export function verifyHelpContent(
  body: HelpContentBody,
  signature: HelpContentSignature,
  trusted: readonly TrustedKey[],
  model: string,
): Result<HelpContentSignature> {
  const key = trusted.find((k) => k.keyId === signature.keyId);
  if (!key) return fail(ErrorCode.UNTRUSTED_KEY, `content key ${signature.keyId} is not trusted by this device`);
  if (signature.model !== model)
    return fail(ErrorCode.BAD_SIGNATURE, `content was signed for model ${signature.model}, this device is ${model}`);
  let valid = false;
  try {
    valid = verify(
      null,
      statement(body, signature),
      createPublicKey(key.publicKeyPem),
      Buffer.from(signature.sig, 'base64'),
    );
  } catch {
    valid = false;
  }
  return valid ? ok(signature) : fail(ErrorCode.BAD_SIGNATURE, 'content signature does not match the content');
}
