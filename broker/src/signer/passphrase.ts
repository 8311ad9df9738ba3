import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, TouchpointError } from '@touchpoint/protocol';
import { assertPrivateFile } from './private-file.js';

/** Environment variable holding the key passphrase itself. */
export const PASSPHRASE_ENV = 'TP_SIGNING_KEY_PASSPHRASE';
/** Name of the systemd credential (`LoadCredential=touchpoint-signing-passphrase:/etc/...`), read from $CREDENTIALS_DIRECTORY. */
export const PASSPHRASE_CREDENTIAL = 'touchpoint-signing-passphrase';
export const PASSPHRASE_HELP = `give the passphrase with --key-passphrase-file FILE, $${PASSPHRASE_ENV}, or the systemd credential ${PASSPHRASE_CREDENTIAL} (see docs/keys.md)`;

const MIN_LENGTH = 12;

export interface PassphraseSource {
  passphrase: string | undefined;
  /** Where it came from, for the start-up log (never the passphrase itself). */
  source: 'file' | 'env' | 'systemd-credential' | 'none';
}

function fromFile(path: string, what: string): string {
  if (!existsSync(path)) throw new TouchpointError(ErrorCode.NOT_FOUND, `${what} ${path} does not exist`);
  assertPrivateFile(path, what);
  // One trailing newline is what `echo secret > file` leaves; it is not part of the passphrase.
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}

function checked(passphrase: string, where: string): string {
  if (passphrase.length < MIN_LENGTH)
    throw new TouchpointError(
      ErrorCode.KEY_PASSPHRASE,
      `the key passphrase from ${where} is shorter than ${MIN_LENGTH} characters`,
    );
  return passphrase;
}

/**
 * The passphrase that protects the key files at rest, in this order:
 * `--key-passphrase-file`, $TP_SIGNING_KEY_PASSPHRASE, then the systemd
 * credential. None of them: keys are kept in clear (the embedded default).
 */
export function resolvePassphrase(
  flagFile: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): PassphraseSource {
  if (flagFile !== undefined)
    return { passphrase: checked(fromFile(flagFile, 'passphrase file'), flagFile), source: 'file' };
  const fromEnv = env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '')
    return { passphrase: checked(fromEnv, `$${PASSPHRASE_ENV}`), source: 'env' };
  const credentials = env.CREDENTIALS_DIRECTORY;
  if (credentials) {
    const path = join(credentials, PASSPHRASE_CREDENTIAL);
    if (existsSync(path))
      return { passphrase: checked(fromFile(path, 'systemd credential'), path), source: 'systemd-credential' };
  }
  return { passphrase: undefined, source: 'none' };
}
