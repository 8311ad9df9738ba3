import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedContentVersion } from '../src/extensions/commands/content-version.js';
import { helpInstallAction } from '../src/extensions/commands/help-install.js';
import { silentLogger } from '../src/logger.js';
import { loadProfile } from '../src/profile-loader.js';
import { ContentServer, contentKey, descaleContent, signed } from './helpers/content-server.js';
import { COFFEE_DIR, tempDir } from './helpers/fixtures.js';

/** The version a device reports in its birth (issue 18): the SHA-256 of the document help.install put live. */
describe('the installed help content version', () => {
  const server = new ContentServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it('is absent for the built-in content, the installed document after help.install, and absent for a damaged pointer', async () => {
    const dir = await tempDir();
    try {
      expect(installedContentVersion(dir.path)).toBeUndefined();
      const params = server.publish('/v2.json', signed(await descaleContent()));
      await helpInstallAction({
        dataDir: dir.path,
        profile: loadProfile(COFFEE_DIR),
        source: {
          fetch: server.fetchOptions(),
          keys: [{ keyId: contentKey.keyId, publicKeyPem: contentKey.publicKeyPem }],
        },
        logger: silentLogger,
        installed: () => undefined,
      })(params, { commandId: 'c-version' });
      expect(installedContentVersion(dir.path)).toBe(params.sha256);
      await writeFile(join(dir.path, 'help', 'current'), '../../etc\n');
      expect(installedContentVersion(dir.path)).toBeUndefined();
    } finally {
      await dir.remove();
    }
  });
});
