import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The help content version the device runs, as its birth reports it (issue 18, "every device reports the
 * version it runs"): the SHA-256 of the signed content document that help.install put live, which names
 * its folder in `dataDir/help/current` (help-install.ts). Undefined while the device runs the content it
 * was built with. Read synchronously: presence is built on every connect from what is known then.
 */
export function installedContentVersion(dataDir: string): string | undefined {
  try {
    const version = readFileSync(join(dataDir, 'help', 'current'), 'utf8').trim();
    return /^[0-9a-f]{64}$/.test(version) ? version : undefined;
  } catch {
    return undefined;
  }
}
