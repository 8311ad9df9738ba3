import type { CommandEnvelope } from '@touchpoint/protocol';
import type { SignedKeyList, SignRequestCommand, TrustedKey } from '@touchpoint/protocol/signing';

export interface SignedCommand {
  envelope: CommandEnvelope;
  /** The key list version the signer held when it signed; a newer one than the broker knows means a rotation. */
  keyListVersion: number;
}

export interface SignerKeys {
  keyList: SignedKeyList;
  /** The public half of the key that signs now. */
  current: TrustedKey;
  /** The root that signed the list, for new device configs (`rootKeys`); empty when only kept offline. */
  roots: TrustedKey[];
}

/**
 * The narrow interface between the fleet service and the command key
 * (issue 12 item 10): sign one command, tell the public keys. The key itself
 * never crosses it. The in-process default (LocalSigner) and the client of
 * `touchpoint signer` (RemoteSigner) both implement it.
 *
 * sign() rejects with a TouchpointError: SIGNER_REFUSED or RATE_LIMITED when
 * the signer's own policy says no, SIGNER_UNAVAILABLE when it cannot be asked.
 */
export interface CommandSigner {
  sign(command: SignRequestCommand): Promise<SignedCommand>;
  keys(): Promise<SignerKeys>;
  close(): Promise<void>;
}
