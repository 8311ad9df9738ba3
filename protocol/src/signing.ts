import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import { ErrorCode, fail, ok, type Result } from './errors.js';
import type { CommandEnvelope, UnsignedCommand } from './messages/command.js';

/**
 * Ed25519 signing of command envelopes (Node only; browsers never sign).
 * The signature covers the canonical JSON of every field except `sig`.
 */
export interface SignerKey {
  keyId: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

export interface TrustedKey {
  keyId: string;
  publicKeyPem: string;
}

export function generateSignerKey(keyId: string): SignerKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    keyId,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function signedBytes(command: UnsignedCommand): Buffer {
  const { sig: _ignored, ...rest } = command as CommandEnvelope;
  return Buffer.from(canonicalJson(rest), 'utf8');
}

export function signCommand(
  command: UnsignedCommand,
  key: SignerKey | { keyId: string; privateKey: KeyObject },
): CommandEnvelope {
  if (command.keyId !== key.keyId) throw new Error(`command keyId ${command.keyId} does not match signer ${key.keyId}`);
  const privateKey = 'privateKey' in key ? key.privateKey : createPrivateKey(key.privateKeyPem);
  const sig = sign(null, signedBytes(command), privateKey).toString('base64');
  return { ...command, sig };
}

/** Verify against the trusted keys: an unknown keyId is UNTRUSTED_KEY, a bad signature is BAD_SIGNATURE. */
export function verifyCommand(command: CommandEnvelope, trusted: readonly TrustedKey[]): Result<CommandEnvelope> {
  const key = trusted.find((k) => k.keyId === command.keyId);
  if (!key) return fail(ErrorCode.UNTRUSTED_KEY, `key ${command.keyId} is not trusted by this device`);
  let valid = false;
  try {
    valid = verify(null, signedBytes(command), createPublicKey(key.publicKeyPem), Buffer.from(command.sig, 'base64'));
  } catch {
    valid = false;
  }
  return valid ? ok(command) : fail(ErrorCode.BAD_SIGNATURE, 'signature does not match the command');
}

export * from './key-list.js';
export * from './signer-protocol.js';
