import { existsSync } from 'node:fs';
import type { TrustedKey } from '@touchpoint/protocol/signing';
import { createLogger } from '../logger.js';
import { keyPaths, loadOrCreateKeys, publicTrust } from '../signer/key-store.js';
import { resolvePassphrase } from '../signer/passphrase.js';

export interface DeviceTrust {
  /** The command key that signs now: the device's bootstrap trust. */
  trustedKeys: TrustedKey[];
  /** The root key(s) whose signed key lists the device accepts (rotation, revocation). */
  rootKeys: TrustedKey[];
}

/**
 * What a new device's config must trust (`touchpoint device add`). Public
 * halves only; on a data directory without keys yet they are created first,
 * as the broker would on its first start (docs/keys.md).
 */
export function deviceTrust(dataDir: string, passphraseFile?: string): DeviceTrust {
  if (!existsSync(keyPaths(dataDir).keyList)) loadOrCreateKeys(dataDir, resolvePassphrase(passphraseFile).passphrase, createLogger('keys'));
  const { trustedKeys, rootKeys } = publicTrust(dataDir);
  return { trustedKeys, rootKeys };
}
