import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeIssues, deviceProfile, ErrorCode, TouchpointError, type DeviceProfile } from '@touchpoint/protocol';

/** Load a model profile from a model directory (…/profile.json inside) or from the file itself. */
export function loadProfile(path: string): DeviceProfile {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'profile.json');
  } catch (err) {
    throw new TouchpointError(ErrorCode.NOT_FOUND, `profile ${path} not found: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new TouchpointError(ErrorCode.BAD_JSON, `profile ${file} is not readable JSON: ${(err as Error).message}`);
  }
  const parsed = deviceProfile.safeParse(value);
  if (!parsed.success) throw new TouchpointError(ErrorCode.SCHEMA_INVALID, `profile ${file} is invalid: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
