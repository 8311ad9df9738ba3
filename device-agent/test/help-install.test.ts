import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { helpInstallAction, installedHelpDir } from '../src/extensions/commands/help-install.js';
import { loadProfile } from '../src/profile-loader.js';
import { REPO_ROOT, tempDir } from './helpers/fixtures.js';

const FLOWS = join(REPO_ROOT, 'examples', 'coffee-machine', 'flows');
const profile = loadProfile(join(REPO_ROOT, 'examples', 'coffee-machine'));

describe('help.install', () => {
  let server: Server;
  let base: string;
  const documents = new Map<string, Buffer>();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let installed: { dir: string; sha256: string; flows: number }[];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const body = documents.get(req.url ?? '');
      res.writeHead(body ? 200 : 404).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(async () => {
    dir = await tempDir();
    installed = [];
    return () => dir.remove();
  });

  const action = () => helpInstallAction({ dataDir: dir.path, profile, installed: (d, sha256, flows) => void installed.push({ dir: d, sha256, flows }) });

  async function publishContent(path: string, content: unknown): Promise<{ url: string; sha256: string }> {
    const body = Buffer.from(JSON.stringify(content));
    documents.set(path, body);
    return { url: `${base}${path}`, sha256: createHash('sha256').update(body).digest('hex') };
  }

  async function descaleContent() {
    return {
      flows: { 'descale.json': JSON.parse(await readFile(join(FLOWS, 'descale.json'), 'utf8')) as unknown },
      images: {
        'images/descale.svg': (await readFile(join(FLOWS, 'images', 'descale.svg'))).toString('base64'),
        'images/water-tank.svg': (await readFile(join(FLOWS, 'images', 'water-tank.svg'))).toString('base64'),
      },
    };
  }

  it('downloads, checks the signed hash, validates against the profile and switches the content in', async () => {
    const params = await publishContent('/v1.json', await descaleContent());
    expect(await installedHelpDir(dir.path)).toBeUndefined();
    const output = await action()(params, { commandId: 'c1' });
    expect(output).toEqual({ sha256: params.sha256, flows: 1 });
    const live = await installedHelpDir(dir.path);
    expect(live).toBe(join(dir.path, 'help', params.sha256));
    expect(JSON.parse(await readFile(join(live!, 'flows', 'descale.json'), 'utf8'))).toMatchObject({ id: expect.any(String) });
    expect(await readFile(join(live!, 'flows', 'images', 'descale.svg'))).toEqual(await readFile(join(FLOWS, 'images', 'descale.svg')));
    expect(installed).toEqual([{ dir: live, sha256: params.sha256, flows: 1 }]);
  });

  it('refuses content whose hash does not match the signed one, and keeps the old content live', async () => {
    const good = await publishContent('/good.json', await descaleContent());
    await action()(good, {});
    const evil = await publishContent('/evil.json', { flows: {} });
    await expect(action()({ url: evil.url, sha256: good.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0')) }, {})).rejects.toThrow(/hash mismatch/);
    expect(await installedHelpDir(dir.path)).toBe(join(dir.path, 'help', good.sha256));
  });

  it('refuses flows that do not fit the profile, naming the problem', async () => {
    const content = await descaleContent();
    (content.flows['descale.json'] as { id: string; steps: unknown[] }).steps = [];
    const params = await publishContent('/broken.json', content);
    await expect(action()(params, {})).rejects.toMatchObject({ code: 'FLOW_INVALID' });
    expect(await installedHelpDir(dir.path)).toBeUndefined();
  });

  it('refuses path tricks and bad params', async () => {
    const params = await publishContent('/tricky.json', { flows: { '../x.json': {} } });
    await expect(action()(params, {})).rejects.toMatchObject({ code: 'SCHEMA_INVALID' });
    await expect(action()({ url: 'file:///etc/passwd', sha256: params.sha256 }, {})).rejects.toMatchObject({ code: 'BAD_PARAMS' });
    await expect(action()({ url: `${base}/missing`, sha256: params.sha256 }, {})).rejects.toThrow(/HTTP 404/);
  });
});
