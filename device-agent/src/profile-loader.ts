import { statSync } from 'node:fs';
import { join } from 'node:path';
import { formatModelProblem, readProfile } from '@touchpoint/models';
import { ErrorCode, TouchpointError, type DeviceProfile } from '@touchpoint/protocol';

/**
 * Load a model profile from a model directory (…/profile.json inside) or from the file itself, through
 * @touchpoint/models, the one model reader (issue 14). The agent cannot run without it, so a bad one throws:
 * NOT_FOUND for a missing path, SCHEMA_INVALID (with file, JSON path and reason) for anything else.
 */
export function loadProfile(path: string): DeviceProfile {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'profile.json');
  } catch (err) {
    throw new TouchpointError(ErrorCode.NOT_FOUND, `profile ${path} not found: ${(err as Error).message}`);
  }
  const read = readProfile(file);
  if (read.profile) return read.profile;
  const problem = read.problems[0];
  throw new TouchpointError(
    ErrorCode.SCHEMA_INVALID,
    problem ? formatModelProblem(problem) : `profile ${file} is invalid`,
  );
}
