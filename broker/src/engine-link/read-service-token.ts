import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, TouchpointError } from '@touchpoint/protocol';

/**
 * The fleet's service token, which fleet workers and API processes log in to the engine with (issue 15).
 * Read, never created here: a token the fleet's database does not know would only be refused.
 */
export function readServiceToken(dataDir: string): string {
  const path = join(dataDir, 'keys', 'service-token');
  if (!existsSync(path))
    throw new TouchpointError(
      ErrorCode.NOT_FOUND,
      `no service token at ${path}: run touchpoint engine-auth (or broker) with this data folder first`,
    );
  return readFileSync(path, 'utf8').trim();
}
