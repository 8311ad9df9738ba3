import { createHash } from 'node:crypto';
import { signHelpContent, type SignedHelpContent } from '@touchpoint/protocol/content-signing';
import type { SignerKey } from '@touchpoint/protocol/signing';
import { ErrorCode, TouchpointError } from '@touchpoint/protocol';
import type { ContentVersion } from './versions.js';

export interface SignedContentDocument {
  document: SignedHelpContent;
  /** The document's bytes as served to devices: what `help.install`'s `url` points at. */
  bytes: Buffer;
  /** SHA-256 of `bytes`: `help.install`'s `sha256` param (the device refuses other bytes). */
  sha256: string;
}

/**
 * The help content document of an approved version, signed with the model maker's content key exactly as
 * `touchpoint content pack` signs one (protocol/src/content-signing.ts), so a device checks it with the
 * content keys it already trusts. Only approved versions are signed: review comes before the key.
 */
export function signContentVersion(
  version: ContentVersion,
  key: SignerKey,
  signedAt: number = Date.now(),
): SignedContentDocument {
  if (version.status !== 'approved')
    throw new TouchpointError(
      ErrorCode.CONFLICT,
      `version ${version.number} of ${version.model} is ${version.status}; only an approved version is signed`,
    );
  const document = signHelpContent(version.body, version.model, key, signedAt);
  const bytes = Buffer.from(JSON.stringify(document), 'utf8');
  return { document, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}
