import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decode, ErrorCode, TouchpointError } from '@touchpoint/protocol';
import { z } from 'zod';
import {
  generateSignerKey,
  signedKeyList,
  signKeyList,
  verifyKeyList,
  type SignedKeyList,
  type SignerKey,
  type TrustedKey,
} from '@touchpoint/protocol/signing';
import type { Logger } from '../logger.js';
import { isPlainKeyFile, readKeyFile, readPublicKey, writeKeyFile, writePrivateFileAtomic } from './key-file.js';

/**
 * The key files of one data directory (docs/keys.md):
 *   keys/command-signing.json  the current command key (private; 0600; encrypted with a passphrase)
 *   keys/root-key.json         the root key that signs key lists (private; may be moved offline)
 *   keys/key-list.json         the current signed list of command keys (public)
 */
export function keyPaths(dataDir: string) {
  const dir = join(dataDir, 'keys');
  return {
    dir,
    commandKey: join(dir, 'command-signing.json'),
    rootKey: join(dir, 'root-key.json'),
    /** Public halves of the roots this fleet has used: they stay when root-key.json moves offline. */
    rootPublic: join(dir, 'root-keys.pub.json'),
    keyList: join(dir, 'key-list.json'),
  };
}

const rootPublicFile = z
  .array(z.strictObject({ keyId: z.string().min(1).max(64), publicKeyPem: z.string().min(1).max(512) }))
  .max(16);

/** The root public keys known here: root-keys.pub.json, else the public half of root-key.json. */
export function knownRoots(paths: ReturnType<typeof keyPaths>): TrustedKey[] {
  if (existsSync(paths.rootPublic)) {
    const parsed = decode(rootPublicFile, readFileSync(paths.rootPublic, 'utf8'));
    if (!parsed.ok) throw new TouchpointError(parsed.code, `${paths.rootPublic}: ${parsed.reason}`);
    return parsed.value;
  }
  return existsSync(paths.rootKey) ? [readPublicKey(paths.rootKey)] : [];
}

function rememberRoot(paths: ReturnType<typeof keyPaths>, root: TrustedKey): void {
  const known = knownRoots(paths);
  if (known.some((k) => k.keyId === root.keyId) && existsSync(paths.rootPublic)) return;
  const next = [...known.filter((k) => k.keyId !== root.keyId), { keyId: root.keyId, publicKeyPem: root.publicKeyPem }];
  writePrivateFileAtomic(paths.rootPublic, `${JSON.stringify(next, null, 2)}\n`);
}

/** The public half of the root that signed the current list: what a device's `rootKeys` needs. */
export function currentRoots(paths: ReturnType<typeof keyPaths>, list: SignedKeyList): TrustedKey[] {
  return knownRoots(paths).filter((k) => k.keyId === list.rootKeyId);
}

export function newKeyId(prefix: 'fleet' | 'root', now: number = Date.now()): string {
  return `${prefix}-${new Date(now).toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(4).toString('hex')}`;
}

export function readKeyList(path: string): SignedKeyList {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TouchpointError(ErrorCode.NOT_FOUND, `key list ${path} cannot be read: ${(err as Error).message}`);
  }
  const list = decode(signedKeyList, text);
  if (!list.ok) throw new TouchpointError(list.code, `key list ${path}: ${list.reason}`);
  return list.value;
}

export function writeKeyList(path: string, list: SignedKeyList): void {
  // Public, but written the same careful way: a torn list would stop the signer.
  writePrivateFileAtomic(path, `${JSON.stringify(list, null, 2)}\n`);
}

/**
 * The list on disk, checked against the root that signed it when this machine has that root's public half
 * (an altered list must not be carried into the next rotation). A list signed by a root kept elsewhere
 * (after a root change with --root-key) cannot be checked here; `required` makes that an error.
 */
function checkedList(
  paths: ReturnType<typeof keyPaths>,
  roots: readonly { keyId: string; publicKeyPem: string }[],
  required: boolean,
): SignedKeyList {
  const list = readKeyList(paths.keyList);
  const root = roots.find((r) => r.keyId === list.rootKeyId);
  if (!root) {
    if (!required) return list;
    throw new TouchpointError(
      ErrorCode.UNTRUSTED_KEY,
      `key list ${list.version} (${paths.keyList}) is signed by root ${list.rootKeyId}, whose key is not here; pass that root with --root-key FILE, or keep it in ${paths.rootKey}`,
    );
  }
  const verified = verifyKeyList(list, [root], 0);
  if (!verified.ok)
    throw new TouchpointError(
      verified.code,
      `key list ${paths.keyList} does not verify against root key ${root.keyId}: ${verified.reason}`,
    );
  return list;
}

export interface LoadedKeys {
  current: SignerKey;
  list: SignedKeyList;
  /** The public half of the root that signed the list (empty when it is not known here). */
  roots: TrustedKey[];
}

/**
 * Load the current command key and key list, creating both (and a root key)
 * on first start, or the list and root for a data directory from before key
 * lists existed. With a passphrase, a key found in clear is re-encrypted.
 */
export function loadOrCreateKeys(dataDir: string, passphrase: string | undefined, log: Logger): LoadedKeys {
  const paths = keyPaths(dataDir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  if (!existsSync(paths.commandKey)) {
    if (existsSync(paths.keyList)) {
      throw new TouchpointError(
        ErrorCode.NOT_FOUND,
        `${paths.commandKey} is missing but ${paths.keyList} exists; restore the key from backup, or see "The command key file is lost" in docs/keys.md (touchpoint key rotate --revoke THE_LOST_ID)`,
      );
    }
    writeKeyFile(paths.commandKey, generateSignerKey(newKeyId('fleet')), passphrase);
    log.info('created the command-signing key', { path: paths.commandKey, encrypted: passphrase !== undefined });
  }
  if (!existsSync(paths.keyList)) {
    const current = readPublicKey(paths.commandKey);
    if (!existsSync(paths.rootKey)) {
      writeKeyFile(paths.rootKey, generateSignerKey(newKeyId('root')), passphrase);
      log.info('created the root key that signs key lists', {
        path: paths.rootKey,
        encrypted: passphrase !== undefined,
      });
    }
    const root = readKeyFile(paths.rootKey, passphrase);
    rememberRoot(paths, root);
    writeKeyList(paths.keyList, signKeyList({ version: 1, keys: [current] }, root));
  }
  const current = readKeyFile(paths.commandKey, passphrase);
  if (passphrase !== undefined) {
    for (const path of [paths.commandKey, paths.rootKey]) {
      if (existsSync(path) && isPlainKeyFile(path)) {
        writeKeyFile(path, readKeyFile(path, undefined), passphrase);
        log.info('encrypted a key file that was stored in clear', { path });
      }
    }
  }
  if (!existsSync(paths.rootPublic) && existsSync(paths.rootKey)) rememberRoot(paths, readPublicKey(paths.rootKey));
  const list = checkedList(paths, knownRoots(paths), false);
  if (!list.keys.some((k) => k.keyId === current.keyId)) {
    throw new TouchpointError(
      ErrorCode.UNTRUSTED_KEY,
      `the command key ${current.keyId} is not in key list ${list.version} (${paths.keyList}); devices would refuse every command. See docs/keys.md`,
    );
  }
  return { current, list, roots: currentRoots(paths, list) };
}

/** A cheap fingerprint of the key files: a rotation changes it, and the signer reloads. */
export function keyFilesStamp(dataDir: string): string {
  const paths = keyPaths(dataDir);
  const stamp = (path: string) => {
    try {
      const s = statSync(path);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return 'missing';
    }
  };
  return `${stamp(paths.commandKey)}|${stamp(paths.keyList)}`;
}

export interface RotateOptions {
  passphrase: string | undefined;
  /** Key ids to drop from the list at once (a leaked key). */
  revoke?: readonly string[];
  /** How long the previous key stays trusted, unless revoked. */
  graceMs: number;
  /** A root key kept elsewhere (offline); default keys/root-key.json. */
  rootKeyPath?: string | undefined;
  now?: number;
}

export interface RotateResult {
  previous: string;
  current: string;
  version: number;
  keys: SignedKeyList['keys'];
  dropped: string[];
}

/**
 * `touchpoint key rotate`: a new command key, and key list version n+1 signed
 * by the root key. The previous key stays for `graceMs` (commands already
 * queued for offline devices still run) unless revoked; keys past their grace
 * are dropped. The list is written before the key: a crash in between leaves
 * the old key signing, still trusted by the new list (run rotate again).
 */
export function rotateKeys(dataDir: string, options: RotateOptions): RotateResult {
  const paths = keyPaths(dataDir);
  const now = options.now ?? Date.now();
  if (!existsSync(paths.keyList)) {
    throw new TouchpointError(
      ErrorCode.NOT_FOUND,
      `no key list in ${paths.dir}; start the broker (or \`touchpoint signer\`) once with this data directory first`,
    );
  }
  const rootPath = options.rootKeyPath ?? paths.rootKey;
  if (!existsSync(rootPath))
    throw new TouchpointError(
      ErrorCode.NOT_FOUND,
      `root key ${rootPath} does not exist; pass --root-key FILE if it is kept offline`,
    );
  const root = readKeyFile(rootPath, options.passphrase);
  // The list may be signed by the root on disk while a new root (--root-key) signs the next one.
  const list = checkedList(paths, [root, ...knownRoots(paths)], true);
  // Changing roots is explicit: devices that dropped an old (leaked) root would refuse what it signs.
  if (options.rootKeyPath === undefined && root.keyId !== list.rootKeyId) {
    throw new TouchpointError(
      ErrorCode.UNTRUSTED_KEY,
      `key list ${list.version} is signed by root ${list.rootKeyId}, not by ${root.keyId} in ${rootPath}; pass --root-key FILE with the root to sign with`,
    );
  }
  // A lost command key (docs/keys.md): rotation makes a new one; the lost key's id stays listed until revoked.
  const previous = existsSync(paths.commandKey) ? readKeyFile(paths.commandKey, options.passphrase).keyId : undefined;
  const revoke = new Set(options.revoke ?? []);
  for (const id of revoke) {
    if (!list.keys.some((k) => k.keyId === id))
      throw new TouchpointError(
        ErrorCode.NOT_FOUND,
        `--revoke ${id}: no such key in key list ${list.version} (${list.keys.map((k) => k.keyId).join(', ')})`,
      );
  }
  const next = generateSignerKey(newKeyId('fleet', now));
  const kept = list.keys
    .filter((k) => !revoke.has(k.keyId) && (k.notAfter === undefined || k.notAfter > now))
    .map((k) =>
      k.keyId === previous ? { ...k, notAfter: Math.min(k.notAfter ?? Infinity, now + options.graceMs) } : k,
    );
  const keys = [{ keyId: next.keyId, publicKeyPem: next.publicKeyPem }, ...kept];
  const dropped = list.keys.filter((k) => !kept.some((c) => c.keyId === k.keyId)).map((k) => k.keyId);
  const signed = signKeyList({ version: list.version + 1, keys }, root, now);

  rememberRoot(paths, root);
  writeKeyList(paths.keyList, signed);
  writeKeyFile(paths.commandKey, next, options.passphrase);
  return { previous: previous ?? '(none)', current: next.keyId, version: signed.version, keys, dropped };
}

/** Public trust material for device configs: no passphrase needed. */
export function publicTrust(dataDir: string): {
  trustedKeys: { keyId: string; publicKeyPem: string }[];
  rootKeys: { keyId: string; publicKeyPem: string }[];
  version: number;
} {
  const paths = keyPaths(dataDir);
  const list = readKeyList(paths.keyList);
  const current = readPublicKey(paths.commandKey);
  const rootKeys = currentRoots(paths, list);
  return {
    trustedKeys: [{ keyId: current.keyId, publicKeyPem: current.publicKeyPem }],
    rootKeys,
    version: list.version,
  };
}

/**
 * `touchpoint key passphrase`: encrypt the key files of a data directory with
 * a new passphrase (or the first one), e.g. after the old one leaked. Each
 * file is rewritten atomically; the keys themselves do not change.
 */
export function changePassphrase(dataDir: string, from: string | undefined, to: string): string[] {
  const paths = keyPaths(dataDir);
  const files = [paths.commandKey, paths.rootKey].filter((path) => existsSync(path));
  if (files.length === 0) throw new TouchpointError(ErrorCode.NOT_FOUND, `no key files in ${paths.dir}`);
  // Read every file before writing any: a wrong old passphrase changes nothing.
  const keys = files.map((path) => ({ path, key: readKeyFile(path, from) }));
  for (const { path, key } of keys) writeKeyFile(path, key, to);
  return files;
}

/** `touchpoint key root-new`: a new root key (mode 0600, encrypted with a passphrase) for a root change. */
export function createRootKey(path: string, passphrase: string | undefined): { keyId: string; publicKeyPem: string } {
  if (existsSync(path)) throw new TouchpointError(ErrorCode.CONFLICT, `${path} exists; choose another --out file`);
  const root = generateSignerKey(newKeyId('root'));
  writeKeyFile(path, root, passphrase);
  return { keyId: root.keyId, publicKeyPem: root.publicKeyPem };
}
