import { existsSync } from 'node:fs';
import { chmod, cp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExitCode } from '@touchpoint/protocol';
import { runCommand } from '@touchpoint/runtime';
import { contentKeygen, contentPack } from '../src/cli/content-commands.js';
import { helpInstallAction, installedHelpDir } from '../src/extensions/commands/help-install.js';
import { silentLogger } from '../src/logger.js';
import { loadProfile } from '../src/profile-loader.js';
import { ContentServer } from './helpers/content-server.js';
import { COFFEE_DIR as MODEL, tempDir } from './helpers/fixtures.js';

/** The maker's tools: `touchpoint content keygen` and `touchpoint content pack`, then a device installs the result. */
describe('touchpoint content keygen / pack', () => {
  const server = new ContentServer();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let out: string[];
  let err: string[];

  beforeAll(() => server.start());
  afterAll(() => server.stop());
  beforeEach(async () => {
    dir = await tempDir('tp-content-cli-');
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void err.push(args.join(' ')));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await dir.remove();
  });

  async function keygen(): Promise<{ file: string; publicEntry: { keyId: string; publicKeyPem: string } }> {
    const file = join(dir.path, 'content.key');
    expect(await runCommand(contentKeygen, ['--out', file, '--key-id', 'maker-2026'])).toBe(ExitCode.ok);
    const printed = out.join('\n');
    const publicEntry = JSON.parse(printed.slice(printed.indexOf('{'))) as { keyId: string; publicKeyPem: string };
    return { file, publicEntry };
  }

  it('makes a 0600 content key, prints its public entry, and never overwrites it', async () => {
    const { file, publicEntry } = await keygen();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(publicEntry).toEqual({ keyId: 'maker-2026', publicKeyPem: expect.stringContaining('BEGIN PUBLIC KEY') });
    expect(out.join('\n')).not.toContain('PRIVATE KEY');
    const before = await readFile(file, 'utf8');
    expect(await runCommand(contentKeygen, ['--out', file])).toBe(ExitCode.failure);
    expect(err.join('\n')).toMatch(/exists.*DUPLICATE/);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('packs and signs a model folder that a device then installs from its https origin', async () => {
    const { file, publicEntry } = await keygen();
    const doc = join(dir.path, 'coffee-help.json');
    expect(await runCommand(contentPack, [MODEL, '--key', file, '--out', doc])).toBe(ExitCode.ok);
    const sha256 = /sha256 ([0-9a-f]{64})/.exec(out.join('\n'))?.[1];
    expect(sha256).toBeDefined();
    const params = server.publish('/coffee-help.json', await readFile(doc, 'utf8'));
    expect(params.sha256).toBe(sha256);
    const dataDir = join(dir.path, 'device');
    const install = helpInstallAction({
      dataDir,
      profile: loadProfile(MODEL),
      source: { fetch: server.fetchOptions(), keys: [publicEntry] },
      logger: silentLogger,
      installed: () => {},
    });
    expect(await install(params, {})).toEqual({ sha256, flows: 5 });
    expect(await installedHelpDir(dataDir)).toBe(join(dataDir, 'help', sha256!));
  });

  it('refuses to sign content a device would refuse (an SVG with a script), naming the problem', async () => {
    const { file } = await keygen();
    const model = join(dir.path, 'model');
    await cp(MODEL, model, { recursive: true });
    await writeFile(
      join(model, 'flows', 'images', 'descale.svg'),
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    );
    expect(await runCommand(contentPack, [model, '--key', file, '--out', join(dir.path, 'x.json')])).toBe(
      ExitCode.failure,
    );
    expect(err.join('\n')).toMatch(/images\/descale\.svg.*script/);
  });

  it('reads the model as `flows validate` does: each problem printed in its format, and nothing written', async () => {
    const { file } = await keygen();
    const model = join(dir.path, 'model');
    await cp(MODEL, model, { recursive: true });
    await writeFile(join(model, 'flows', 'grinder-jammed.json'), '{ "id": ');
    await rm(join(model, 'flows', 'images', 'water-tank.svg'));
    const doc = join(dir.path, 'x.json');
    expect(await runCommand(contentPack, [model, '--key', file, '--out', doc])).toBe(ExitCode.failure);
    const printed = err.join('\n');
    expect(printed).toContain(`${join(model, 'flows', 'grinder-jammed.json')}: (root): flow file is not JSON`);
    expect(printed).toMatch(/\(BAD_JSON\)/);
    // Two flows show the missing image: the validator names each step, as flows validate prints it.
    expect(printed).toMatch(/descale\.json: steps\.\S+\.image: .*water-tank\.svg.*\(IMAGE_\w+\)/);
    expect(printed).toMatch(/3 problem\(s\) in .*model; nothing written/);
    expect(existsSync(doc)).toBe(false);
  });

  it('refuses a key file others can read, and usage errors exit 2', async () => {
    const { file } = await keygen();
    await chmod(file, 0o644);
    expect(await runCommand(contentPack, [MODEL, '--key', file, '--out', join(dir.path, 'x.json')])).toBe(
      ExitCode.failure,
    );
    expect(err.join('\n')).toMatch(/readable by group or others/);
    expect(await runCommand(contentPack, [MODEL])).toBe(ExitCode.usage);
    expect(await runCommand(contentKeygen, [])).toBe(ExitCode.usage);
  });
});
