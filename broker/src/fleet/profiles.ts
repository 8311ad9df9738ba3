import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { deviceProfile, describeIssues, type DeviceProfile } from '@touchpoint/protocol';
import type { Logger } from '../logger.js';

/** Loads every `<dir>/<model>/profile.json`; an invalid profile is logged and skipped, never fatal. */
export function loadProfiles(dirs: readonly string[], log: Logger): Map<string, DeviceProfile> {
  const profiles = new Map<string, DeviceProfile>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = join(dir, entry.name, 'profile.json');
      if (!entry.isDirectory() || !existsSync(file)) continue;
      try {
        const parsed = deviceProfile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
        if (parsed.success) profiles.set(parsed.data.model, parsed.data);
        else log.error('device profile is invalid, skipped', { file, code: 'SCHEMA_INVALID', reason: describeIssues(parsed.error) });
      } catch (err) {
        log.error('device profile is not JSON, skipped', { file, code: 'BAD_JSON', reason: (err as Error).message });
      }
    }
  }
  return profiles;
}
