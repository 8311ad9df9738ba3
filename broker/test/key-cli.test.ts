import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { keyPaths, loadOrCreateKeys } from '../src/signer/key-store.js';

const bin = fileURLToPath(new URL('../../cli/bin/touchpoint.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tp-key-cli-'));
const dataDir = join(dir, 'data');
const passFile = join(dir, 'passphrase');
// No passphrase from the test runner's environment may leak into these runs.
const env = { ...process.env, TP_SIGNING_KEY_PASSPHRASE: '', CREDENTIALS_DIRECTORY: '' };
const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env, timeout: 60_000 });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The key commands and the broker's refusals as an operator meets them: the real `touchpoint` binary (issue 12 #10). */
describe('touchpoint key … and the broker refusing unsafe keys', () => {
  it('encrypts the keys with key passphrase; the broker then refuses to start without it, and with a readable key file', () => {
    loadOrCreateKeys(dataDir, undefined, silentLogger);
    writeFileSync(passFile, 'a long operator passphrase\n', { mode: 0o600 });
    const rekey = run('key', 'passphrase', '--data-dir', dataDir, '--new-passphrase-file', passFile);
    expect(rekey.status).toBe(0);
    expect(readFileSync(keyPaths(dataDir).commandKey, 'utf8')).not.toContain('PRIVATE KEY');

    const noPass = run('broker', '--mqtt-port', '0', '--http-port', '0', '--data-dir', dataDir);
    expect(noPass.status).toBe(1);
    expect(noPass.stderr).toContain(
      `key file ${keyPaths(dataDir).commandKey} is encrypted and no passphrase is configured`,
    );
    expect(noPass.stderr).toContain('(KEY_PASSPHRASE)');

    chmodSync(keyPaths(dataDir).commandKey, 0o644);
    const readable = run(
      'broker',
      '--mqtt-port',
      '0',
      '--http-port',
      '0',
      '--data-dir',
      dataDir,
      '--key-passphrase-file',
      passFile,
    );
    expect(readable.status).toBe(1);
    expect(readable.stderr).toContain(`Fix: chmod 600 ${keyPaths(dataDir).commandKey} (KEY_FILE_INSECURE)`);
    chmodSync(keyPaths(dataDir).commandKey, 0o600);
  }, 120_000);

  it('key show prints what a device config trusts, without the passphrase', () => {
    const shown = run('key', 'show', '--data-dir', dataDir, '--json');
    expect(shown.status).toBe(0);
    const trust = JSON.parse(shown.stdout) as {
      trustedKeys: { keyId: string }[];
      rootKeys: { keyId: string; publicKeyPem: string }[];
      keyList: { version: number };
    };
    expect(trust.trustedKeys[0]!.keyId).toMatch(/^fleet-\d{8}-[0-9a-f]{8}$/);
    expect(trust.rootKeys[0]!.publicKeyPem).toContain('BEGIN PUBLIC KEY');
    expect(trust.keyList.version).toBe(1);
    expect(shown.stdout).not.toContain('PRIVATE KEY');
  }, 60_000);
});
