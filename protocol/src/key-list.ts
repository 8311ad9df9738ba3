import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical.js';
import { ErrorCode, fail, ok, type Result } from './errors.js';
import { header, messageBase } from './messages/base.js';

/**
 * The signed list of command keys a device trusts (issue 12 item 10), Node only.
 *
 * A device is provisioned with one or more *root keys*. The root key signs
 * nothing but key lists; the fleet's command key signs nothing but commands.
 * A list carries a `version` that only ever grows: a device keeps the highest
 * version it accepted and refuses any list that is not newer, so an attacker
 * who recorded an old list (with a key since dropped) cannot replay it.
 *
 * The signature covers canonicalJson of every field except `sig`; `kind`
 * separates the domains, so no command envelope or help-content statement
 * (which never carry this `kind`) can pass as a key list.
 */
export const KEY_LIST_KIND = 'touchpoint.command-keys.v1';

const keyId = z.string().min(1).max(64);
const publicKeyPem = z
  .string()
  .max(512)
  .includes('BEGIN PUBLIC KEY', { message: 'must be an SPKI PEM ("-----BEGIN PUBLIC KEY-----")' });

export const listedKey = z.strictObject({
  keyId,
  publicKeyPem,
  /** End of a rotation's grace window (ms since epoch): after it the device refuses commands under this key. */
  notAfter: z.number().int().nonnegative().optional(),
});
export type ListedKey = z.infer<typeof listedKey>;

export const signedKeyList = z.strictObject({
  ...messageBase,
  kind: z.literal(KEY_LIST_KIND),
  /** Grows by one per rotation; a device accepts only a list newer than the one it holds. */
  version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  issuedAt: z.number().int().nonnegative(),
  /** The root key that signed this list. */
  rootKeyId: keyId,
  /** The command keys devices trust from now on; a key not listed is no longer trusted. */
  keys: z.array(listedKey).min(1).max(32),
  sig: z.string().min(1).max(256),
});
export type SignedKeyList = z.infer<typeof signedKeyList>;
export type UnsignedKeyList = Omit<SignedKeyList, 'sig'>;

/** A root key's private half, as `touchpoint key rotate` holds it. */
export interface RootKey {
  keyId: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

function signedBytes(list: UnsignedKeyList | SignedKeyList): Buffer {
  const { sig: _ignored, ...rest } = list as SignedKeyList;
  return Buffer.from(canonicalJson(rest), 'utf8');
}

/** Sign a new list of command keys with a root key. */
export function signKeyList(
  fields: { version: number; keys: ListedKey[] },
  root: RootKey,
  now: number = Date.now(),
): SignedKeyList {
  const unsigned: UnsignedKeyList = {
    ...header(now),
    kind: KEY_LIST_KIND,
    version: fields.version,
    issuedAt: now,
    rootKeyId: root.keyId,
    keys: fields.keys,
  };
  const sig = sign(null, signedBytes(unsigned), createPrivateKey(root.privateKeyPem)).toString('base64');
  return { ...unsigned, sig };
}

/**
 * Check a list against the device's root keys and the newest version it holds.
 * UNTRUSTED_KEY: signed by a key that is not a root of this device.
 * BAD_SIGNATURE: the signature does not cover these bytes.
 * KEY_LIST_STALE: not newer than `heldVersion` (a replay or a reordering).
 */
export function verifyKeyList(
  list: SignedKeyList,
  roots: readonly { keyId: string; publicKeyPem: string }[],
  heldVersion: number,
): Result<SignedKeyList> {
  const root = roots.find((k) => k.keyId === list.rootKeyId);
  if (!root)
    return fail(
      ErrorCode.UNTRUSTED_KEY,
      `key list ${list.version} is signed by ${list.rootKeyId}, which is not a root key of this device`,
    );
  let valid = false;
  try {
    valid = verify(null, signedBytes(list), createPublicKey(root.publicKeyPem), Buffer.from(list.sig, 'base64'));
  } catch {
    valid = false;
  }
  if (!valid) return fail(ErrorCode.BAD_SIGNATURE, `key list ${list.version}: signature does not match the list`);
  if (list.version <= heldVersion)
    return fail(
      ErrorCode.KEY_LIST_STALE,
      `key list ${list.version} is not newer than the list ${heldVersion} this device holds`,
    );
  return ok(list);
}
