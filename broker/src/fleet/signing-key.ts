import { existsSync } from 'node:fs';
import type { TrustedKey } from '@touchpoint/protocol/signing';
import { createLogger } from '../logger.js';
import { keyPaths, loadOrCreateKeys, publicTrust } from '../signer/key-store.js';
import { resolvePassphrase } from '../signer/passphrase.js';
import { RemoteSigner } from '../signer/signer-client.js';

export interface DeviceTrust {
  /** The command key that signs now: the device's bootstrap trust. */
  trustedKeys: TrustedKey[];
  /** The root key(s) whose signed key lists the device accepts (rotation, revocation). */
  rootKeys: TrustedKey[];
}

/**
 * What a new device's config must trust (`touchpoint device add`). Public
 * halves only. With an out-of-process signer they come from it (the broker's
 * data directory holds no key then); otherwise from the data directory, where
 * keys are created first if missing, as the broker would on its first start
 * (docs/keys.md).
 */
export async function deviceTrust(dataDir: string, signerSocket?: string): Promise<DeviceTrust> {
  if (signerSocket) {
    const signer = await RemoteSigner.connect(signerSocket, createLogger('keys'));
    try {
      const keys = await signer.keys();
      return { trustedKeys: [keys.current], rootKeys: keys.roots };
    } finally {
      await signer.close();
    }
  }
  if (!existsSync(keyPaths(dataDir).keyList))
    loadOrCreateKeys(dataDir, resolvePassphrase(undefined).passphrase, createLogger('keys'));
  const { trustedKeys, rootKeys } = publicTrust(dataDir);
  return { trustedKeys, rootKeys };
}
