import { createPrivateKey, type KeyObject } from 'node:crypto';
import { signCommand, type SignRequestCommand } from '@touchpoint/protocol/signing';
import type { Logger } from '../logger.js';
import { keyFilesStamp, keyPaths, loadOrCreateKeys, type LoadedKeys } from './key-store.js';
import { PASSPHRASE_HELP } from './passphrase.js';
import type { CommandSigner, SignedCommand, SignerKeys } from './signer.js';

/**
 * The command key in this process: the broker's embedded default, and what
 * `touchpoint signer` runs behind its socket. It notices a rotation (the key
 * files changed) at the next signature and reloads, so `touchpoint key rotate`
 * needs no restart.
 */
export class LocalSigner implements CommandSigner {
  private loaded!: LoadedKeys;
  private privateKey!: KeyObject;
  private stamp = '';

  private constructor(
    private readonly dataDir: string,
    private readonly passphrase: string | undefined,
    private readonly log: Logger,
  ) {
    this.reload();
  }

  static open(dataDir: string, passphrase: string | undefined, log: Logger): LocalSigner {
    const signer = new LocalSigner(dataDir, passphrase, log);
    if (passphrase === undefined) {
      // The embedded default (npm start, the demo, tests) runs without a passphrase; say loudly what that means.
      log.warn(
        `THE COMMAND-SIGNING KEY IS STORED WITHOUT ENCRYPTION (${keyPaths(dataDir).commandKey}); anyone who copies the data directory can sign commands. ${PASSPHRASE_HELP}`,
        { code: 'KEY_UNENCRYPTED' },
      );
    }
    return signer;
  }

  private reload(): void {
    const loaded = loadOrCreateKeys(this.dataDir, this.passphrase, this.log);
    // Taken after loading: the first start creates the files, and that is not a rotation.
    const stamp = keyFilesStamp(this.dataDir);
    // Parsing the PEM costs most of a signature; do it once per key.
    this.privateKey = createPrivateKey(loaded.current.privateKeyPem);
    this.loaded = loaded;
    this.stamp = stamp;
  }

  /** Reload when a rotation changed the files; a half-finished rotation keeps the keys we have. */
  private refresh(): void {
    if (keyFilesStamp(this.dataDir) === this.stamp) return;
    const before = this.loaded.current.keyId;
    try {
      this.reload();
    } catch (err) {
      this.log.error('key files changed but cannot be loaded; still signing with the previous key', {
        code: (err as { code?: string }).code ?? 'INTERNAL',
        reason: (err as Error).message,
      });
      this.stamp = keyFilesStamp(this.dataDir);
      return;
    }
    if (before !== this.loaded.current.keyId)
      this.log.info('signing with the rotated command key', {
        previous: before,
        current: this.loaded.current.keyId,
        keyListVersion: this.loaded.list.version,
      });
  }

  sign(command: SignRequestCommand): Promise<SignedCommand> {
    this.refresh();
    const keyId = this.loaded.current.keyId;
    const envelope = signCommand({ ...command, keyId }, { keyId, privateKey: this.privateKey });
    return Promise.resolve({ envelope, keyListVersion: this.loaded.list.version });
  }

  keys(): Promise<SignerKeys> {
    this.refresh();
    const { current, list, roots } = this.loaded;
    return Promise.resolve({
      keyList: list,
      current: { keyId: current.keyId, publicKeyPem: current.publicKeyPem },
      roots,
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
