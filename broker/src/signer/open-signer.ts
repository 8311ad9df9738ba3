import type { Logger } from '../logger.js';
import { LocalSigner } from './local-signer.js';
import { resolvePassphrase } from './passphrase.js';
import { RemoteSigner } from './signer-client.js';
import type { CommandSigner } from './signer.js';

export interface SigningOptions {
  /** Unix socket of `touchpoint signer` (TP_SIGNER_SOCKET): the key then never enters the broker. */
  signerSocket?: string | undefined;
  /** File holding the key passphrase (`--key-passphrase-file`); else $TP_SIGNING_KEY_PASSPHRASE, else the systemd credential. */
  passphraseFile?: string | undefined;
}

/** The signer the fleet service uses: out of process when a socket is configured, else in process (the embedded default). */
export async function openCommandSigner(
  dataDir: string,
  options: SigningOptions | undefined,
  log: Logger,
): Promise<CommandSigner> {
  if (options?.signerSocket) {
    const signer = await RemoteSigner.connect(options.signerSocket, log);
    log.info('commands are signed by the signer process', { socket: options.signerSocket });
    return signer;
  }
  const { passphrase, source } = resolvePassphrase(options?.passphraseFile);
  const signer = LocalSigner.open(dataDir, passphrase, log);
  log.info('commands are signed in process', { passphrase: source });
  return signer;
}
