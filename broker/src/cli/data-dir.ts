import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ErrorCode, TouchpointError } from '@touchpoint/protocol';

/** `--data-dir`, else $TOUCHPOINT_DATA_DIR, else ./.touchpoint. */
export function resolveDataDir(flag: string | undefined): string {
  return resolve(flag ?? process.env.TOUCHPOINT_DATA_DIR ?? '.touchpoint');
}

export function requireDataDir(flag: string | undefined): string {
  const dir = resolveDataDir(flag);
  if (!existsSync(dir)) {
    throw new TouchpointError(
      ErrorCode.NOT_FOUND,
      `data directory ${dir} does not exist; start the broker once with --data-dir ${dir}, or pass the right --data-dir`,
    );
  }
  return dir;
}
