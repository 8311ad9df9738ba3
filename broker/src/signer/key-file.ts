import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  scryptSync,
} from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { describeIssues, ErrorCode, TouchpointError } from '@touchpoint/protocol';
import type { SignerKey } from '@touchpoint/protocol/signing';
import { PASSPHRASE_HELP } from './passphrase.js';
import { assertPrivateFile } from './private-file.js';

/**
 * A private key file (command key or root key), issue 12 item 10.
 *
 * At rest the private key is encrypted with a passphrase: scrypt derives a
 * 256-bit key, AES-256-GCM encrypts the PKCS#8 PEM. The key id and public key
 * stay readable (devices need them, `touchpoint device add` prints them) and
 * are bound to the ciphertext as GCM additional data, so neither can be
 * swapped without the passphrase noticing. Without a passphrase the file
 * holds the PEM in clear: the embedded default, with a loud warning.
 */
const ENCRYPTED_FORMAT = 'touchpoint.key.v1';
/** scrypt cost: about 100 ms and 32 MiB on a small server, once per start. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1 } as const;
const SCRYPT_MAXMEM = 64 * 1024 * 1024;

const keyId = z.string().min(1).max(64);
const plainFile = z.strictObject({ keyId, privateKeyPem: z.string().min(1), publicKeyPem: z.string().min(1) });
const encryptedFile = z.strictObject({
  format: z.literal(ENCRYPTED_FORMAT),
  keyId,
  publicKeyPem: z.string().min(1),
  kdf: z.strictObject({
    name: z.literal('scrypt'),
    N: z.number().int().min(1024),
    r: z.number().int().min(1),
    p: z.number().int().min(1),
    salt: z.string().min(16),
  }),
  cipher: z.strictObject({ name: z.literal('aes-256-gcm'), iv: z.string().min(16), tag: z.string().min(16) }),
  data: z.string().min(1),
});
const keyFile = z.union([plainFile, encryptedFile]);

function aad(keyIdValue: string, publicKeyPem: string): Buffer {
  return Buffer.from(`${ENCRYPTED_FORMAT}\n${keyIdValue}\n${publicKeyPem}`, 'utf8');
}

function deriveKey(passphrase: string, salt: Buffer, params: { N: number; r: number; p: number }): Buffer {
  return scryptSync(passphrase, salt, 32, { ...params, maxmem: SCRYPT_MAXMEM });
}

/** True when the file holds its private key in clear. Does not need the passphrase. */
export function isPlainKeyFile(path: string): boolean {
  return plainFile.safeParse(parseJson(path)).success;
}

function parseJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new TouchpointError(ErrorCode.BAD_JSON, `key file ${path} is not readable JSON: ${(err as Error).message}`);
  }
}

function parseKeyFile(path: string): z.infer<typeof keyFile> {
  const parsed = keyFile.safeParse(parseJson(path));
  if (!parsed.success)
    throw new TouchpointError(
      ErrorCode.SCHEMA_INVALID,
      `key file ${path} is not a Touchpoint key: ${describeIssues(parsed.error)}`,
    );
  return parsed.data;
}

/** The public half only (key id and SPKI PEM); no passphrase needed. */
export function readPublicKey(path: string): { keyId: string; publicKeyPem: string } {
  const file = parseKeyFile(path);
  return { keyId: file.keyId, publicKeyPem: file.publicKeyPem };
}

/**
 * Read a key file: refuses a file others can read, an encrypted file without
 * a passphrase, a wrong passphrase, and a private key that does not match the
 * public key next to it.
 */
export function readKeyFile(path: string, passphrase: string | undefined): SignerKey {
  assertPrivateFile(path);
  const file = parseKeyFile(path);
  let privateKeyPem: string;
  if ('privateKeyPem' in file) {
    privateKeyPem = file.privateKeyPem;
  } else {
    if (passphrase === undefined) {
      throw new TouchpointError(
        ErrorCode.KEY_PASSPHRASE,
        `key file ${path} is encrypted and no passphrase is configured; ${PASSPHRASE_HELP}`,
      );
    }
    try {
      const key = deriveKey(passphrase, Buffer.from(file.kdf.salt, 'base64'), file.kdf);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(file.cipher.iv, 'base64'));
      decipher.setAAD(aad(file.keyId, file.publicKeyPem));
      decipher.setAuthTag(Buffer.from(file.cipher.tag, 'base64'));
      privateKeyPem = Buffer.concat([decipher.update(Buffer.from(file.data, 'base64')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new TouchpointError(
        ErrorCode.KEY_PASSPHRASE,
        `wrong passphrase for key file ${path} (or the file was altered); ${PASSPHRASE_HELP}`,
      );
    }
  }
  let derived: string;
  try {
    derived = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'pem' }).toString();
  } catch (err) {
    throw new TouchpointError(
      ErrorCode.SCHEMA_INVALID,
      `key file ${path} holds no usable private key: ${(err as Error).message}`,
    );
  }
  if (derived.trim() !== file.publicKeyPem.trim()) {
    throw new TouchpointError(
      ErrorCode.SCHEMA_INVALID,
      `key file ${path}: the private key does not belong to its public key`,
    );
  }
  return { keyId: file.keyId, privateKeyPem, publicKeyPem: file.publicKeyPem };
}

/** Write a key file atomically with mode 0600, encrypted when a passphrase is given. */
export function writeKeyFile(path: string, key: SignerKey, passphrase: string | undefined): void {
  let content: unknown;
  if (passphrase === undefined) {
    content = { keyId: key.keyId, privateKeyPem: key.privateKeyPem, publicKeyPem: key.publicKeyPem };
  } else {
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', deriveKey(passphrase, salt, SCRYPT), iv);
    cipher.setAAD(aad(key.keyId, key.publicKeyPem));
    const data = Buffer.concat([cipher.update(key.privateKeyPem, 'utf8'), cipher.final()]);
    content = {
      format: ENCRYPTED_FORMAT,
      keyId: key.keyId,
      publicKeyPem: key.publicKeyPem,
      kdf: { name: 'scrypt', ...SCRYPT, salt: salt.toString('base64') },
      cipher: { name: 'aes-256-gcm', iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64') },
      data: data.toString('base64'),
    };
  }
  writePrivateFileAtomic(path, `${JSON.stringify(content, null, 2)}\n`);
}

/** Temp file (0600) + fsync + rename: a crash leaves the old file or the new one, never half of either. */
export function writePrivateFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600); // a leftover temp file keeps its old mode otherwise
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
