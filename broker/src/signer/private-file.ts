// The owner-only check for the key file and the passphrase file. Its own file because both
// key-file.ts and passphrase.ts need it and key-file.ts imports passphrase.ts (issue 14).
import { statSync } from 'node:fs';
import { ErrorCode, TouchpointError } from '@touchpoint/protocol';

/**
 * Refuse a key file that anyone but its owner can read: the broker must not
 * start with a key another local account could copy. The error names the file
 * and the fix.
 */
export function assertPrivateFile(path: string, what = 'key file'): void {
  if (process.platform === 'win32') return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new TouchpointError(
      ErrorCode.KEY_FILE_INSECURE,
      `${what} ${path} is accessible to group or others (mode ${mode.toString(8).padStart(4, '0')}); it must be private to its owner. Fix: chmod 600 ${path}`,
    );
  }
}
