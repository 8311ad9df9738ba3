import { chmodSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, header, TouchpointError } from '@touchpoint/protocol';
import { generateSignerKey, verifyCommand, verifyKeyList } from '@touchpoint/protocol/signing';
import { silentLogger } from '../src/logger.js';
import { readKeyFile, readPublicKey, writeKeyFile } from '../src/signer/key-file.js';
import {
  changePassphrase,
  createRootKey,
  keyPaths,
  loadOrCreateKeys,
  publicTrust,
  readKeyList,
  rotateKeys,
} from '../src/signer/key-store.js';
import { LocalSigner } from '../src/signer/local-signer.js';
import { resolvePassphrase } from '../src/signer/passphrase.js';
import { startTestBroker } from './helpers.js';

const PASSPHRASE = 'correct horse battery staple';

function thrown(fn: () => unknown): TouchpointError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TouchpointError) return err;
    throw err;
  }
  throw new Error('expected a TouchpointError');
}

const unsigned = () => {
  const now = Date.now();
  return {
    ...header(now),
    deviceId: 'cm-1',
    action: 'rinse',
    params: {},
    issuedAt: now,
    expiresAt: now + 60_000,
    issuedBy: 'staff-1',
  };
};

describe('command key at rest (issue 12 #10)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tp-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const mode of [0o644, 0o640, 0o604, 0o660]) {
    it(`refuses a key file with mode ${mode.toString(8)}, naming the file and chmod 600`, () => {
      const path = join(dir, 'key.json');
      writeKeyFile(path, generateSignerKey('k1'), undefined);
      chmodSync(path, mode);
      const err = thrown(() => readKeyFile(path, undefined));
      expect(err.code).toBe(ErrorCode.KEY_FILE_INSECURE);
      expect(err.message).toContain(path);
      expect(err.message).toContain(`chmod 600 ${path}`);
    });
  }

  it('a broker whose command key is group-readable refuses to start, with the fix in the error', async () => {
    const dataDir = join(dir, 'broker');
    const first = await startTestBroker({ dataDir });
    await first.broker.close();
    const keyFile = keyPaths(dataDir).commandKey;
    chmodSync(keyFile, 0o640);
    await expect(startTestBroker({ dataDir })).rejects.toMatchObject({
      code: ErrorCode.KEY_FILE_INSECURE,
      message: expect.stringContaining(`chmod 600 ${keyFile}`),
    });
    chmodSync(keyFile, 0o600);
    const again = await startTestBroker({ dataDir });
    await again.cleanup();
  });

  it('an encrypted key round-trips; the file holds no private key in clear', () => {
    const path = join(dir, 'key.json');
    const key = generateSignerKey('k1');
    writeKeyFile(path, key, PASSPHRASE);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(key.privateKeyPem.split('\n')[1]!);
    expect(readKeyFile(path, PASSPHRASE)).toEqual(key);
  });

  it('a wrong or missing passphrase is refused with a clear message', () => {
    const path = join(dir, 'key.json');
    writeKeyFile(path, generateSignerKey('k1'), PASSPHRASE);
    const wrong = thrown(() => readKeyFile(path, 'not the passphrase at all'));
    expect(wrong.code).toBe(ErrorCode.KEY_PASSPHRASE);
    expect(wrong.message).toContain(`wrong passphrase for key file ${path}`);
    const missing = thrown(() => readKeyFile(path, undefined));
    expect(missing.code).toBe(ErrorCode.KEY_PASSPHRASE);
    expect(missing.message).toContain('is encrypted and no passphrase is configured');
    expect(missing.message).toContain('TP_SIGNING_KEY_PASSPHRASE');
  });

  it('a swapped public key next to an encrypted private key is detected (bound as GCM additional data)', () => {
    const path = join(dir, 'key.json');
    writeKeyFile(path, generateSignerKey('k1'), PASSPHRASE);
    const file = JSON.parse(readFileSync(path, 'utf8')) as { publicKeyPem: string };
    writeFileSync(path, JSON.stringify({ ...file, publicKeyPem: generateSignerKey('x').publicKeyPem }), {
      mode: 0o600,
    });
    expect(thrown(() => readKeyFile(path, PASSPHRASE)).code).toBe(ErrorCode.KEY_PASSPHRASE);
  });

  it('the passphrase comes from the flag file, then the environment, then the systemd credential', () => {
    const file = join(dir, 'pass');
    writeFileSync(file, `${PASSPHRASE}\n`, { mode: 0o600 });
    expect(resolvePassphrase(file, {})).toEqual({ passphrase: PASSPHRASE, source: 'file' });
    expect(resolvePassphrase(undefined, { TP_SIGNING_KEY_PASSPHRASE: 'from the environment' })).toEqual({
      passphrase: 'from the environment',
      source: 'env',
    });
    writeFileSync(join(dir, 'touchpoint-signing-passphrase'), 'from systemd credential', { mode: 0o400 });
    expect(resolvePassphrase(undefined, { CREDENTIALS_DIRECTORY: dir })).toEqual({
      passphrase: 'from systemd credential',
      source: 'systemd-credential',
    });
    expect(resolvePassphrase(undefined, {})).toEqual({ passphrase: undefined, source: 'none' });
    chmodSync(file, 0o644);
    expect(thrown(() => resolvePassphrase(file, {})).code).toBe(ErrorCode.KEY_FILE_INSECURE);
    expect(thrown(() => resolvePassphrase(undefined, { TP_SIGNING_KEY_PASSPHRASE: 'short' })).code).toBe(
      ErrorCode.KEY_PASSPHRASE,
    );
  });

  it('keys created with a passphrase are encrypted; a plain key is encrypted once a passphrase is configured', () => {
    loadOrCreateKeys(dir, undefined, silentLogger);
    const paths = keyPaths(dir);
    expect(readFileSync(paths.commandKey, 'utf8')).toContain('PRIVATE KEY');
    const plain = loadOrCreateKeys(dir, PASSPHRASE, silentLogger);
    for (const path of [paths.commandKey, paths.rootKey])
      expect(readFileSync(path, 'utf8')).not.toContain('PRIVATE KEY');
    expect(loadOrCreateKeys(dir, PASSPHRASE, silentLogger).current).toEqual(plain.current);
    expect(thrown(() => loadOrCreateKeys(dir, undefined, silentLogger)).code).toBe(ErrorCode.KEY_PASSPHRASE);
  });
});

describe('key rotation (issue 12 #10)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tp-rotate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rotate: a new key signs, list version n+1 signed by the root, the old key kept for the grace window', () => {
    const first = loadOrCreateKeys(dir, PASSPHRASE, silentLogger);
    const root = readKeyFile(keyPaths(dir).rootKey, PASSPHRASE);
    const now = Date.now();
    const result = rotateKeys(dir, { passphrase: PASSPHRASE, graceMs: 3_600_000, now });
    expect(result.previous).toBe(first.current.keyId);
    expect(result.version).toBe(2);
    const list = readKeyList(keyPaths(dir).keyList);
    expect(verifyKeyList(list, [root], 1).ok).toBe(true);
    expect(list.keys.map((k) => k.keyId)).toEqual([result.current, first.current.keyId]);
    expect(list.keys[1]!.notAfter).toBe(now + 3_600_000);
    expect(loadOrCreateKeys(dir, PASSPHRASE, silentLogger).current.keyId).toBe(result.current);
  });

  it('rotate --revoke drops the old key at once, and an unknown id is refused', () => {
    const first = loadOrCreateKeys(dir, undefined, silentLogger);
    expect(thrown(() => rotateKeys(dir, { passphrase: undefined, graceMs: 0, revoke: ['nope'] })).code).toBe(
      ErrorCode.NOT_FOUND,
    );
    const result = rotateKeys(dir, { passphrase: undefined, graceMs: 3_600_000, revoke: [first.current.keyId] });
    expect(result.dropped).toEqual([first.current.keyId]);
    expect(readKeyList(keyPaths(dir).keyList).keys.map((k) => k.keyId)).toEqual([result.current]);
  });

  it('key passphrase: both key files move to the new passphrase; a wrong old one changes nothing', () => {
    const keys = loadOrCreateKeys(dir, PASSPHRASE, silentLogger);
    const paths = keyPaths(dir);
    const before = readFileSync(paths.commandKey, 'utf8');
    expect(thrown(() => changePassphrase(dir, 'not the old passphrase', 'a brand new passphrase')).code).toBe(
      ErrorCode.KEY_PASSPHRASE,
    );
    expect(readFileSync(paths.commandKey, 'utf8')).toBe(before);
    expect(changePassphrase(dir, PASSPHRASE, 'a brand new passphrase')).toEqual([paths.commandKey, paths.rootKey]);
    expect(loadOrCreateKeys(dir, 'a brand new passphrase', silentLogger).current).toEqual(keys.current);
    expect(thrown(() => readKeyFile(paths.rootKey, PASSPHRASE)).code).toBe(ErrorCode.KEY_PASSPHRASE);
  });

  it('a lost command key: the broker refuses to start with a pointer to the fix, and rotate --revoke recovers', () => {
    const first = loadOrCreateKeys(dir, undefined, silentLogger);
    unlinkSync(keyPaths(dir).commandKey);
    expect(thrown(() => loadOrCreateKeys(dir, undefined, silentLogger)).message).toContain(
      'The command key file is lost',
    );
    const result = rotateKeys(dir, { passphrase: undefined, graceMs: 0, revoke: [first.current.keyId] });
    expect(result.previous).toBe('(none)');
    expect(loadOrCreateKeys(dir, undefined, silentLogger).current.keyId).toBe(result.current);
    expect(readKeyList(keyPaths(dir).keyList).keys.map((k) => k.keyId)).toEqual([result.current]);
  });

  it('a root change: a new root signs the next list, the broker still starts, and the old root on disk may not sign the next one', () => {
    loadOrCreateKeys(dir, undefined, silentLogger);
    const newRootPath = join(dir, 'new-root.json');
    const newRoot = createRootKey(newRootPath, undefined);
    const result = rotateKeys(dir, { passphrase: undefined, graceMs: 0, rootKeyPath: newRootPath });
    const list = readKeyList(keyPaths(dir).keyList);
    expect(list.rootKeyId).toBe(newRoot.keyId);
    expect(verifyKeyList(list, [newRoot], 1).ok).toBe(true);
    expect(loadOrCreateKeys(dir, undefined, silentLogger).current.keyId).toBe(result.current);
    // The old root on disk cannot vouch for a list the new root signed: rotating needs the new root.
    const err = thrown(() => rotateKeys(dir, { passphrase: undefined, graceMs: 0 }));
    expect(err.message).toContain(`signed by root ${newRoot.keyId}`);
    expect(err.message).toContain('pass --root-key FILE');
    expect(rotateKeys(dir, { passphrase: undefined, graceMs: 0, rootKeyPath: newRootPath }).version).toBe(3);
  });

  it('an altered key list on disk is not carried into the next rotation', () => {
    loadOrCreateKeys(dir, undefined, silentLogger);
    const path = keyPaths(dir).keyList;
    const list = readKeyList(path);
    const attacker = generateSignerKey('attacker');
    writeFileSync(
      path,
      JSON.stringify({ ...list, keys: [...list.keys, { keyId: attacker.keyId, publicKeyPem: attacker.publicKeyPem }] }),
      { mode: 0o600 },
    );
    expect(thrown(() => rotateKeys(dir, { passphrase: undefined, graceMs: 0 })).code).toBe(ErrorCode.BAD_SIGNATURE);
  });

  it('with the root key moved offline the broker still loads, devices still get rootKeys, and rotate takes --root-key', () => {
    loadOrCreateKeys(dir, undefined, silentLogger);
    const paths = keyPaths(dir);
    const root = readPublicKey(paths.rootKey);
    const offline = join(dir, 'offline-root.json');
    renameSync(paths.rootKey, offline);
    expect(publicTrust(dir).rootKeys).toEqual([root]);
    expect(loadOrCreateKeys(dir, undefined, silentLogger).roots).toEqual([root]);
    expect(thrown(() => rotateKeys(dir, { passphrase: undefined, graceMs: 0 })).message).toContain(
      'pass --root-key FILE',
    );
    expect(rotateKeys(dir, { passphrase: undefined, graceMs: 0, rootKeyPath: offline }).version).toBe(2);
  });

  it('a running in-process signer picks up the rotation at its next signature, without a restart', async () => {
    const signer = LocalSigner.open(dir, undefined, silentLogger);
    const before = await signer.sign(unsigned());
    const rotated = rotateKeys(dir, { passphrase: undefined, graceMs: 0 });
    const after = await signer.sign(unsigned());
    expect(after.envelope.keyId).toBe(rotated.current);
    expect(after.keyListVersion).toBe(before.keyListVersion + 1);
    const keys = await signer.keys();
    expect(verifyCommand(after.envelope, keys.keyList.keys).ok).toBe(true);
  });
});
